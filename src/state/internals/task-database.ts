import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { StateStoreError } from '../state-store-error.js';
import { prefixEnd, type BackingOp, type BytesBacking } from './bytes-backing.js';

const LOCK_RETRY_MS = 50;
const LOCK_TIMEOUT_MS = 30_000;
/**
 * Written into a database folder found damaged before anything is done about it, so that the next
 * open still knows (after a crash meanwhile, or a refusal): LevelDB reports the damage only in a LOG
 * file it replaces at every open.
 */
const DAMAGE_MARKER = 'TRIBUTARY-DAMAGED';

/**
 * What to do with a database whose write-ahead log was damaged in the middle (disk or file
 * corruption; a crash only tears its tail, which LevelDB drops silently and rightly). LevelDB
 * skips the damaged records and opens anyway, so committed writes are gone while a later
 * checkpoint may still claim them. 'rebuild': every store in it can be restored from elsewhere
 * (its changelog, or a global store's topic); the folder is emptied so they restore from scratch.
 * 'fail': a StateStoreError, as what was lost cannot be restored.
 */
export type OnDatabaseDamage = 'rebuild' | 'fail';

/**
 * One LevelDB database per task (`<stateDir>/<applicationId>/<taskId>/`). Each store owns the
 * keys under `s<store>\0`; its checkpoint (the changelog offset its contents reflect) is the
 * entry `c<store>`, written in the same batch as the data, so the two never disagree.
 */
export class TaskDatabase {
  private constructor(
    private readonly db: Level<Buffer, Buffer>,
    readonly path: string,
  ) {}

  /**
   * Opens (creating) the folder's database. A previous owner in this process may still be closing
   * it during a rebalance, so a held lock is retried for a while before giving up.
   */
  static async open(path: string, onDamage: OnDatabaseDamage): Promise<TaskDatabase> {
    await mkdir(path, { recursive: true });
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      try {
        await db.open();
      } catch (e) {
        const locked = (e as { code?: string; cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
        if (!locked || Date.now() > deadline) throw new StateStoreError(`Cannot open the state database at ${path}: ${(e as Error).message}`, e);
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
        continue;
      }
      const damage = damageFound(path);
      if (damage === undefined) return new TaskDatabase(db, path);
      await writeFile(join(path, DAMAGE_MARKER), `${damage}\n`);
      await db.close();
      if (onDamage === 'fail') {
        throw new StateStoreError(`The state database at ${path} is damaged and lost committed writes (${damage}); not every store in it keeps a changelog to restore from. Delete the folder to start its stores empty`);
      }
      console.warn(`tributary: the state database at ${path} is damaged (${damage}); emptying it for its stores to restore from the log`);
      await rm(path, { recursive: true, force: true });
      await mkdir(path, { recursive: true });
    }
  }

  backing(storeName: string): BytesBacking {
    return new LevelBacking(this.db, storeName);
  }

  /**
   * Writes LevelDB's memory table out as a table file, then closes. Left in the write-ahead log,
   * it was replayed by the next open: a warm restart of the 1M-key bench app spent ~150 of its
   * ~190 ms on that (its 8 databases held ~2 MB of log each), and 26-38 ms with it flushed here.
   * Kafka Streams likewise flushes RocksDB's memtables when it commits.
   */
  async close(): Promise<void> {
    try {
      // A compaction of a range past every key (store keys start with 's' or 'c') does only the flush.
      await (this.db as unknown as FlushableLevel).compactRange(PAST_EVERY_KEY, PAST_EVERY_KEY);
    } catch {
      // Nothing is lost: the write-ahead log still holds it, and the next open replays it.
    }
    await this.db.close();
  }
}

/** `level` on Node is classic-level, whose compactRange the `level` typings leave out. */
type FlushableLevel = { compactRange(start: Buffer, end: Buffer): Promise<void> };
const PAST_EVERY_KEY = Buffer.from([0xff, 0xff]);

/** LevelDB's report of write-ahead log records it skipped as corrupt while opening, or our marker of an earlier one. */
function damageFound(path: string): string | undefined {
  const marker = join(path, DAMAGE_MARKER);
  if (existsSync(marker)) return readFileSync(marker, 'utf8').trim();
  const info = join(path, 'LOG');
  if (!existsSync(info)) return undefined;
  // LevelDB logs "<file>: dropping <n> bytes; Corruption: <why>" for each damaged stretch it skips.
  return /\S+: dropping \d+ bytes; Corruption: .*/.exec(readFileSync(info, 'utf8'))?.[0];
}

class LevelBacking implements BytesBacking {
  private readonly prefix: Buffer;
  private readonly end: Buffer;
  private readonly checkpointKey: Buffer;
  /** Where prefixed() builds keys; bytes before the key are the prefix. */
  private scratch: Buffer;
  checkpoint: number | undefined;

  constructor(
    private readonly db: Level<Buffer, Buffer>,
    storeName: string,
  ) {
    this.prefix = Buffer.from(`s${storeName}\0`, 'latin1');
    this.end = prefixEnd(this.prefix);
    this.checkpointKey = Buffer.from(`c${storeName}`, 'latin1');
    this.scratch = Buffer.allocUnsafe(this.prefix.length + 256);
    this.prefix.copy(this.scratch);
    const saved = db.getSync(this.checkpointKey);
    this.checkpoint = saved === undefined ? undefined : Number(saved.readBigInt64BE(0));
  }

  private full(key: Buffer): Buffer {
    return Buffer.concat([this.prefix, key]);
  }

  /**
   * full(key) in a buffer every call reuses: only for LevelDB calls that copy the key before they
   * return (getSync; a chained batch's put and del, which copy it into the native batch). Spares
   * a Buffer.concat per read and per written entry.
   */
  private prefixed(key: Buffer): Buffer {
    const n = this.prefix.length + key.length;
    if (n > this.scratch.length) {
      this.scratch = Buffer.allocUnsafe(2 * n);
      this.prefix.copy(this.scratch);
    }
    key.copy(this.scratch, this.prefix.length);
    return this.scratch.subarray(0, n);
  }

  get(key: Buffer): Buffer | undefined {
    return this.db.getSync(this.prefixed(key));
  }

  async *entries(gte?: Buffer, lt?: Buffer): AsyncIterable<readonly [Buffer, Buffer]> {
    const range = { gte: gte === undefined ? this.prefix : this.full(gte), lt: lt === undefined ? this.end : this.full(lt) };
    const n = this.prefix.length;
    for await (const [key, value] of this.db.iterator(range)) yield [key.subarray(n), value] as const;
  }

  async write(ops: readonly BackingOp[], checkpoint: number | undefined): Promise<void> {
    const batch = this.db.batch();
    for (const op of ops) {
      if (op.value === null) batch.del(this.prefixed(op.key));
      else batch.put(this.prefixed(op.key), op.value);
    }
    if (checkpoint !== undefined) {
      const value = Buffer.alloc(8);
      value.writeBigInt64BE(BigInt(checkpoint));
      batch.put(this.checkpointKey, value);
    }
    await batch.write();
    if (checkpoint !== undefined) this.checkpoint = checkpoint;
  }

  deleteRange(gte: Buffer, lt: Buffer): Promise<void> {
    return this.db.clear({ gte: this.full(gte), lt: this.full(lt) });
  }

  async clear(): Promise<void> {
    await this.db.clear({ gte: this.prefix, lt: this.end });
    await this.db.del(this.checkpointKey);
    this.checkpoint = undefined;
  }

  async approximateCount(): Promise<number> {
    let n = 0;
    for await (const _ of this.db.keys({ gte: this.prefix, lt: this.end })) n++;
    return n;
  }

  async close(): Promise<void> {}
}
