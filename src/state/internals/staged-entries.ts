import type { BackingOp, BytesBacking } from './bytes-backing.js';

/** How a store turns its values into bytes and back. */
export type ValueCodec<T> = { encode(value: T): Buffer; decode(bytes: Buffer): T };

type Staged<T> = { key: Buffer; value: T | undefined; timestamp: number };
/** A committed entry's bytes (null: no value) and, once read, its value if that is immutable (not an object). */
export type Cached<T> = { bytes: Buffer | null; value: T | undefined; decoded: boolean };

/** Committed entries kept (as bytes) in front of the backing, per store; beyond this, the oldest go. */
const DEFAULT_CACHE_ENTRIES = 50_000;

/**
 * The transactional core every store builds on (the design of Kafka's KIP-892). Writes between
 * two commits are staged in memory, keyed by their bytes, and reads see them first; a commit
 * encodes each staged key once (so the changelog and LevelDB get one write per key per commit),
 * and only after the commit's log transaction succeeded are they written to the backing with the
 * changelog offset they reflect. Committed values read from the backing are cached as bytes, so
 * an aborted commit (discard) never leaves a changed object behind.
 */
export class StagedEntries<T> {
  private staged = new Map<string, Staged<T>>();
  private readonly cache = new Map<string, Cached<T>>();
  private pending: BackingOp[] | undefined;
  private writes = 0;
  /** Changes whenever committed values may have changed (a commit with writes, a restore…). */
  version = 0;

  constructor(
    private readonly backing: BytesBacking,
    private readonly codec: ValueCodec<T>,
    private readonly cacheEntries = DEFAULT_CACHE_ENTRIES,
  ) {}

  get stagedCount(): number {
    return this.staged.size;
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

  /** The value as of the last commit, ignoring staged writes. */
  committed(key: Buffer, ck = key.toString('latin1')): T | undefined {
    return this.valueOf(this.committedEntry(key, ck));
  }

  /**
   * The cache entry of a key's committed value. It stays right until `version` changes, so a
   * store may keep it by the key's own (unserialized) form.
   */
  committedEntry(key: Buffer, ck = key.toString('latin1')): Cached<T> {
    return this.cache.get(ck) ?? this.remember(ck, this.backing.get(key) ?? null);
  }

  valueOf(cached: Cached<T>): T | undefined {
    if (cached.decoded) return cached.value;
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
    } else this.staged.set(ck, { key, value, timestamp });
  }

  /** Staged writes in the order their keys were first written this commit. */
  stagedEntries(): IterableIterator<Staged<T>> {
    return this.staged.values();
  }

  /**
   * Encodes the staged writes for the changelog and the backing; commit() writes the same ops.
   * `extra` ops (a store's own bookkeeping) join them, so they land in the same atomic batch.
   */
  prepareCommit(extra: readonly BackingOp[] = []): readonly BackingOp[] {
    const ops: BackingOp[] = [...extra];
    for (const s of this.staged.values()) ops.push({ key: s.key, value: s.value === undefined ? null : this.codec.encode(s.value), timestamp: s.timestamp });
    this.pending = ops;
    return ops;
  }

  /** The commit's transaction succeeded: apply the prepared writes with their changelog offset. */
  async commit(checkpoint: number | undefined): Promise<void> {
    const ops = this.pending ?? this.prepareCommit();
    this.pending = undefined;
    // Staged writes stay readable (queries run meanwhile) until the backing and cache have them.
    if (ops.length > 0 || checkpoint !== undefined) await this.backing.write(ops, checkpoint);
    if (ops.length > 0) this.version++;
    for (const op of ops) this.remember(op.key.toString('latin1'), op.value);
    this.staged = new Map();
    this.writes = 0;
  }

  /** Writes bytes that are already committed elsewhere (a global store's topic) to the backing and cache. */
  async applyCommitted(ops: readonly BackingOp[]): Promise<void> {
    await this.backing.write(ops, undefined);
    this.version++;
    for (const op of ops) this.remember(op.key.toString('latin1'), op.value);
  }

  /** Drops staged writes (the commit failed or the task is closed uncleanly). */
  discard(): void {
    this.staged = new Map();
    this.writes = 0;
    this.pending = undefined;
  }

  /** Forgets cached committed values (after the backing was changed underneath, e.g. restore). */
  invalidate(): void {
    this.version++;
    this.cache.clear();
  }

  /** Drops staged and cached entries whose key sorts before `bound` (expired window segments). */
  forgetBelow(bound: Buffer): void {
    const b = bound.toString('latin1');
    this.version++;
    for (const ck of this.staged.keys()) if (ck < b) this.staged.delete(ck);
    for (const ck of this.cache.keys()) if (ck < b) this.cache.delete(ck);
  }

  private remember(ck: string, bytes: Buffer | null): Cached<T> {
    if (this.cache.size >= this.cacheEntries && !this.cache.has(ck)) this.evictOldest();
    const cached: Cached<T> = { bytes, value: undefined, decoded: bytes === null };
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
