import { StateStoreError } from '../state-store-error.js';
import type { BackingOp, BytesBacking } from './bytes-backing.js';

/** How a store turns its values into bytes and back. */
export type ValueCodec<T> = { encode(value: T): Buffer; decode(bytes: Buffer): T };

/**
 * A staged write; `bytes` is its encoded value once a commit prepared it (null: a delete).
 * `repeated`: the key was written more than once since the last commit.
 */
type Staged<T> = { key: Buffer; value: T | undefined; timestamp: number; bytes: Buffer | null | undefined; repeated: boolean };
/**
 * A committed entry's bytes (null: no value) and, once read, its value if that is immutable (not
 * an object). `spare`: the object the commit wrote, for the next reader to take instead of decoding.
 */
export type Cached<T> = { bytes: Buffer | null; value: T | undefined; decoded: boolean; spare: T | undefined };

/** Committed entries kept (as bytes) in front of the backing, per store; beyond this, the oldest go. */
const DEFAULT_CACHE_ENTRIES = 50_000;
/** forgetBelow's walk over the cache stops after this many entries in a row that stay. */
const FRONT_RUN_KEPT = 64;

/**
 * When committed writes held back from the backing (write-behind) are written: once `keys` keys
 * wait, and once `records` changelog records were committed since the last write (this bounds
 * what a restart after a crash replays; Kafka Streams likewise rewrites a store's checkpoint only
 * once its changelog has moved 10k records past it). Also at any commit whose keys are mostly new: holding
 * keys that are not written again saves nothing and leaves more garbage-collector work.
 */
export type WriteBehindLimits = { keys: number; records: number };
export const DEFAULT_WRITE_BEHIND: WriteBehindLimits = { keys: 10_000, records: 100_000 };

/**
 * The transactional core every store builds on (the design of Kafka's KIP-892). Writes between
 * two commits are staged in memory, keyed by their bytes, and reads see them first; a commit
 * encodes each staged key once (so the changelog and LevelDB get one write per key per commit),
 * and only after the commit's log transaction succeeded are they written to the backing with the
 * changelog offset they reflect. Committed values read from the backing are cached as bytes, so
 * an aborted commit (discard) never leaves a changed object behind.
 *
 * A prepared commit's writes are in flight until commit() or discard(): reads see them (as their
 * encoded bytes, like committed values) while new writes are staged afresh, so a task may go on
 * processing while its commit's transaction completes.
 */
export class StagedEntries<T> {
  private staged = new Map<string, Staged<T>>();
  /** The prepared commit's staged writes, until it is applied or discarded. */
  private inFlight: Map<string, Staged<T>> | undefined;
  private readonly cache = new Map<string, Cached<T>>();
  private readonly cacheEntries: number;
  /** The prepared commit: its ops, their keys as latin1 strings, and which were written more than once. */
  private pending: { ops: BackingOp[]; keys: string[]; repeated: boolean[] } | undefined;
  private writes = 0;
  /** Committed writes not yet in the backing, by key (write-behind only); the last write of a key wins. */
  private unwritten = new Map<string, BackingOp>();
  /** Changelog records committed since the backing was last written, and the offset they reach. */
  private unwrittenRecords = 0;
  private unwrittenCheckpoint: number | undefined;
  /** Held-back writes on their way to the backing. */
  private writing: Map<string, BackingOp> | undefined;
  /** Cached keys that sort before this were forgotten (see forgetBelow); '' when none. */
  private forgotten = '';
  /** Changes whenever committed values may have changed (a commit with writes, a restore…). */
  version = 0;

  /**
   * `writeBehind`: a commit's writes may wait in memory and reach the backing with a later
   * commit's, so a key changed at every commit is written once per many. Only for a store whose
   * changelog holds every committed write: its backing's checkpoint then says which of them a
   * restart must replay, so nothing is lost when the process dies with writes still held back.
   *
   * `reuseCommitted`: a committed object value is handed to its next reader instead of decoded
   * from its bytes (see valueOf). Only for stores whose values only their own code holds (a window
   * store's item arrays): a value a caller kept after put and changed later would be read changed.
   */
  constructor(
    private readonly backing: BytesBacking,
    private readonly codec: ValueCodec<T>,
    private readonly options: { writeBehind?: WriteBehindLimits; cacheEntries?: number; reuseCommitted?: boolean } = {},
  ) {
    this.cacheEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  }

  get stagedCount(): number {
    return this.staged.size;
  }

  /** Committed entries held in memory in front of the backing. */
  get cachedCount(): number {
    return this.cache.size;
  }

  /** Writes staged since the last commit; above stagedCount when keys were written more than once. */
  get stagedWrites(): number {
    return this.writes;
  }

  get(key: Buffer): T | undefined {
    const ck = key.toString('latin1');
    if (this.staged.size > 0) {
      const staged = this.staged.get(ck);
      if (staged !== undefined) return staged.value;
    }
    return this.committed(key, ck);
  }

  /** The staged entry of a key given as its latin1 string (hot paths compute it once). */
  stagedAt(ck: string): Staged<T> | undefined {
    return this.staged.get(ck);
  }

  /** The value as of the last prepared commit, ignoring writes staged since. */
  committed(key: Buffer, ck = key.toString('latin1')): T | undefined {
    return this.valueOf(this.committedEntry(key, ck));
  }

  /**
   * The cache entry of a key's committed value. It stays right until `version` changes, so a
   * store may keep it by the key's own (unserialized) form.
   */
  committedEntry(key: Buffer, ck = key.toString('latin1')): Cached<T> {
    const inFlight = this.inFlight?.get(ck);
    if (inFlight !== undefined) {
      // Once prepared, an in-flight write is its bytes; its object may go to one reader.
      const spare = this.options.reuseCommitted === true && typeof inFlight.value === 'object' && inFlight.value !== null ? inFlight.value : undefined;
      if (spare !== undefined) inFlight.value = undefined;
      return { bytes: inFlight.bytes ?? null, value: undefined, decoded: inFlight.bytes === null, spare };
    }
    const cached = this.cache.get(ck);
    if (cached !== undefined && ck >= this.forgotten) return cached;
    const held = (this.unwritten.size > 0 ? this.unwritten.get(ck) : undefined) ?? this.writing?.get(ck);
    const bytes = held !== undefined ? held.value : (this.backing.get(key) ?? null);
    // Absence is not cached: a key read and not found is mostly one about to be written for the
    // first time (a new key or window). Caching each absence (and then its first value) made every
    // new key look like a repeat to write-behind; a 1M-key windowed count, each key seen once, ran
    // at 93k-113k records/s on two threads with it and 120k-138k without (side by side).
    if (bytes === null) return { bytes, value: undefined, decoded: true, spare: undefined };
    return this.remember(ck, bytes);
  }

  valueOf(cached: Cached<T>): T | undefined {
    if (cached.decoded) return cached.value;
    const spare = cached.spare;
    if (spare !== undefined) {
      cached.spare = undefined; // handed out once: later readers decode their own
      return spare;
    }
    if (cached.bytes === null) return undefined;
    const value = this.codec.decode(cached.bytes);
    // Objects are decoded on every read (a caller may change what it got); strings and numbers
    // cannot be changed, so they are decoded once.
    if (typeof value !== 'object' || value === null) {
      cached.value = value;
      cached.decoded = true;
    }
    return value;
  }

  /** Stages a write; `undefined` deletes. */
  put(key: Buffer, value: T | undefined, timestamp: number, ck = key.toString('latin1')): void {
    this.writes++;
    const entry = this.staged.get(ck);
    if (entry !== undefined) {
      entry.value = value;
      entry.timestamp = timestamp;
      entry.repeated = true;
    } else this.staged.set(ck, { key, value, timestamp, bytes: undefined, repeated: false });
  }

  /**
   * What a scan of the backing misses among the keys `inRange` accepts, copied now: committed
   * writes held back from it, then those in flight, then the staged writes (a later entry of a key
   * wins). Copied before
   * a scan starts, it still covers writes that reach the backing while the scan runs.
   */
  overlay(inRange: (key: Buffer) => boolean): { key: Buffer; value: T | undefined }[] {
    const out: { key: Buffer; value: T | undefined }[] = [];
    for (const held of [this.writing, this.unwritten]) {
      if (held === undefined) continue;
      for (const op of held.values()) if (inRange(op.key)) out.push({ key: op.key, value: op.value === null ? undefined : this.codec.decode(op.value) });
    }
    if (this.inFlight !== undefined) for (const s of this.inFlight.values()) if (inRange(s.key)) out.push({ key: s.key, value: s.bytes == null ? undefined : this.codec.decode(s.bytes) });
    for (const s of this.staged.values()) if (inRange(s.key)) out.push({ key: s.key, value: s.value });
    return out;
  }

  /**
   * How many keys have a value, given that the backing holds `backingCount`: each key written
   * since (held back, in flight or staged; its latest write counts) is looked up in the backing, so an update
   * counts once and a delete takes one off.
   */
  countWith(backingCount: number): number {
    const latest = new Map<string, { key: Buffer; present: boolean }>();
    for (const held of [this.writing, this.unwritten]) {
      if (held !== undefined) for (const [ck, op] of held) latest.set(ck, { key: op.key, present: op.value !== null });
    }
    if (this.inFlight !== undefined) for (const [ck, s] of this.inFlight) latest.set(ck, { key: s.key, present: s.bytes != null });
    for (const [ck, s] of this.staged) latest.set(ck, { key: s.key, present: s.value !== undefined });
    let n = backingCount;
    for (const { key, present } of latest.values()) {
      const inBacking = this.backing.get(key) !== undefined;
      if (present && !inBacking) n++;
      else if (!present && inBacking) n--;
    }
    return n;
  }

  /**
   * Encodes the staged writes for the changelog and the backing; commit() writes the same ops.
   * `extra` ops (a store's own bookkeeping) join them, so they land in the same atomic batch.
   * The writes are in flight from here on; writes staged next belong to the next commit.
   */
  prepareCommit(extra: readonly BackingOp[] = []): readonly BackingOp[] {
    if (this.pending !== undefined) throw new StateStoreError('A commit is already in flight: apply or discard it before preparing another');
    const ops: BackingOp[] = [...extra];
    const keys = extra.map((op) => op.key.toString('latin1'));
    const repeated = extra.map(() => false);
    for (const [ck, s] of this.staged) {
      const bytes = s.value === undefined ? null : this.codec.encode(s.value);
      s.bytes = bytes;
      ops.push({ key: s.key, value: bytes, timestamp: s.timestamp });
      keys.push(ck);
      repeated.push(s.repeated);
    }
    this.pending = { ops, keys, repeated };
    if (this.staged.size > 0) {
      this.inFlight = this.staged;
      this.staged = new Map();
      this.version++; // what reads see as committed changed (a store's memo must drop its entries)
    }
    this.writes = 0;
    return ops;
  }

  /**
   * The commit's transaction succeeded: apply the prepared writes with their changelog offset
   * (with write-behind, hold them until enough have gathered).
   */
  async commit(checkpoint: number | undefined): Promise<void> {
    if (this.pending === undefined) this.prepareCommit();
    const { ops, keys, repeated } = this.pending!;
    this.pending = undefined;
    // A key is a repeat when it was committed recently (it is cached or held back) or written
    // more than once since the last commit. Repeats are what caching and holding back save on.
    let repeats = 0;
    for (let i = 0; i < keys.length; i++) if (repeated[i] || this.cache.has(keys[i]!) || this.unwritten.has(keys[i]!)) repeats++;
    const mostlyNew = 2 * repeats < ops.length;
    const limits = this.options.writeBehind;
    if (limits !== undefined && (!mostlyNew || this.unwritten.size > 0)) {
      for (let i = 0; i < ops.length; i++) this.unwritten.set(keys[i]!, ops[i]!);
      this.unwrittenRecords += ops.length;
      if (checkpoint !== undefined) this.unwrittenCheckpoint = checkpoint;
      this.settle(ops, keys, repeated, !mostlyNew);
      if (mostlyNew || this.unwritten.size >= limits.keys || this.unwrittenRecords >= limits.records) await this.writeUnwritten();
      return;
    }
    // Staged writes stay readable (queries run meanwhile) until the backing and cache have them.
    if (ops.length > 0 || checkpoint !== undefined) await this.backing.write(ops, checkpoint);
    this.settle(ops, keys, repeated, !mostlyNew);
  }

  /**
   * Committed writes become what reads see as committed. Cached keys are updated; a key not
   * cached is added when it was written more than once or, with `cacheNew`, always (a commit of
   * mostly new keys caches only its repeats: keys seen once are unlikely to be read soon). With
   * `reuseCommitted`, a written object no reader took while the commit was in flight (see
   * committedEntry) is kept as its entry's spare, for the next reader to own.
   */
  private settle(ops: readonly BackingOp[], keys: readonly string[], repeated: readonly boolean[], cacheNew: boolean): void {
    if (ops.length > 0) this.version++;
    const inFlight = this.options.reuseCommitted === true ? this.inFlight : undefined;
    for (let i = 0; i < ops.length; i++) {
      const bytes = ops[i]!.value;
      let cached = this.cache.get(keys[i]!);
      if (cached === undefined) {
        if (!cacheNew && !repeated[i]) continue;
        cached = this.remember(keys[i]!, bytes);
      }
      const value = bytes === null ? undefined : inFlight?.get(keys[i]!)?.value;
      // Updated in place: holders of a cache entry (a store's memo) drop it when `version` changes.
      cached.bytes = bytes;
      cached.value = undefined;
      cached.decoded = bytes === null;
      cached.spare = typeof value === 'object' && value !== null ? value : undefined;
    }
    this.inFlight = undefined;
  }

  /** Writes every held-back committed write to the backing, with the checkpoint they reach (on close, or once enough gathered). */
  async writeUnwritten(): Promise<void> {
    if (this.unwritten.size === 0 && this.unwrittenCheckpoint === undefined) return;
    const held = this.unwritten;
    const checkpoint = this.unwrittenCheckpoint;
    // Reads find them in `writing` until the backing has them; a commit meanwhile starts a new map.
    this.writing = held;
    this.unwritten = new Map();
    this.unwrittenRecords = 0;
    this.unwrittenCheckpoint = undefined;
    try {
      await this.backing.write([...held.values()], checkpoint);
    } catch (e) {
      for (const [ck, op] of held) if (!this.unwritten.has(ck)) this.unwritten.set(ck, op);
      this.unwrittenCheckpoint ??= checkpoint;
      throw e;
    } finally {
      this.writing = undefined;
    }
  }

  /** Writes bytes that are already committed elsewhere (a global store's topic) to the backing and cache. */
  async applyCommitted(ops: readonly BackingOp[]): Promise<void> {
    await this.backing.write(ops, undefined);
    this.version++;
    for (const op of ops) this.remember(op.key.toString('latin1'), op.value);
  }

  /** Drops staged and in-flight writes (the commit failed or the task is closed uncleanly). */
  discard(): void {
    this.staged = new Map();
    this.writes = 0;
    this.pending = undefined;
    this.inFlight = undefined;
    this.version++; // reads may have kept entries of the in-flight writes
  }

  /** Forgets cached committed values (after the backing was changed underneath, e.g. restore). */
  invalidate(): void {
    this.version++;
    this.cache.clear();
  }

  /**
   * Drops staged and held-back entries whose key sorts before `bound` (expired window segments),
   * and the cached ones at the front of the cache. Cached ones further in are not looked for (the
   * cache is large and a window store drops a segment often): reads pass them over, and eviction
   * removes them.
   */
  forgetBelow(bound: Buffer): void {
    const b = bound.toString('latin1');
    this.version++;
    if (b > this.forgotten) this.forgotten = b;
    for (const ck of this.staged.keys()) if (ck < b) this.staged.delete(ck);
    if (this.inFlight !== undefined) for (const ck of this.inFlight.keys()) if (ck < b) this.inFlight.delete(ck);
    for (const ck of this.unwritten.keys()) if (ck < b) this.unwritten.delete(ck);
    this.dropOldestBelow(b);
  }

  /**
   * Drops cached entries below `bound` from the front of the cache, until a run of entries at or
   * above it. A window store caches its keys as time moves on, so the expired ones are mostly the
   * oldest. Left in place they filled the cache (50k per store): a 10k-key windowed count's live
   * heap grew past 168 MB in 2M records, where it now stays near 50 MB.
   */
  private dropOldestBelow(bound: string): void {
    let kept = 0;
    for (const ck of this.cache.keys()) {
      if (ck < bound) {
        this.cache.delete(ck);
        kept = 0;
      } else if (++kept >= FRONT_RUN_KEPT) {
        break;
      }
    }
  }

  private remember(ck: string, bytes: Buffer | null): Cached<T> {
    if (this.cache.size >= this.cacheEntries && !this.cache.has(ck)) this.evictOldest();
    const cached: Cached<T> = { bytes, value: undefined, decoded: bytes === null, spare: undefined };
    this.cache.set(ck, cached);
    return cached;
  }

  /**
   * Drops the oldest quarter of the cache in one pass. One entry at a time would be quadratic:
   * a Map keeps deleted slots until it rehashes, and finding the oldest live key walks past them.
   */
  private evictOldest(): void {
    let drop = Math.max(1, this.cacheEntries >> 2);
    for (const ck of this.cache.keys()) {
      this.cache.delete(ck);
      if (--drop === 0) break;
    }
  }
}
