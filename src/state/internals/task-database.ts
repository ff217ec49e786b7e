import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import { StateStoreError } from '../state-store-error.js';
import { prefixEnd, type BackingOp, type BytesBacking } from './bytes-backing.js';

const LOCK_RETRY_MS = 50;
const LOCK_TIMEOUT_MS = 30_000;

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
  static async open(path: string): Promise<TaskDatabase> {
    await mkdir(path, { recursive: true });
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      try {
        await db.open();
        return new TaskDatabase(db, path);
      } catch (e) {
        const locked = (e as { code?: string; cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
        if (!locked || Date.now() > deadline) throw new StateStoreError(`Cannot open the state database at ${path}: ${(e as Error).message}`, e);
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
      }
    }
  }

  backing(storeName: string): BytesBacking {
    return new LevelBacking(this.db, storeName);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

class LevelBacking implements BytesBacking {
  private readonly prefix: Buffer;
  private readonly end: Buffer;
  private readonly checkpointKey: Buffer;
  checkpoint: number | undefined;

  constructor(
    private readonly db: Level<Buffer, Buffer>,
    storeName: string,
  ) {
    this.prefix = Buffer.from(`s${storeName}\0`, 'latin1');
    this.end = prefixEnd(this.prefix);
    this.checkpointKey = Buffer.from(`c${storeName}`, 'latin1');
    const saved = db.getSync(this.checkpointKey);
    this.checkpoint = saved === undefined ? undefined : Number(saved.readBigInt64BE(0));
  }

  private full(key: Buffer): Buffer {
    return Buffer.concat([this.prefix, key]);
  }

  get(key: Buffer): Buffer | undefined {
    return this.db.getSync(this.full(key));
  }

  async *entries(gte?: Buffer, lt?: Buffer): AsyncIterable<readonly [Buffer, Buffer]> {
    const range = { gte: gte === undefined ? this.prefix : this.full(gte), lt: lt === undefined ? this.end : this.full(lt) };
    const n = this.prefix.length;
    for await (const [key, value] of this.db.iterator(range)) yield [key.subarray(n), value] as const;
  }

  async write(ops: readonly BackingOp[], checkpoint: number | undefined): Promise<void> {
    const batch = this.db.batch();
    for (const op of ops) {
      if (op.value === null) batch.del(this.full(op.key));
      else batch.put(this.full(op.key), op.value);
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
