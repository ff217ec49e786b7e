import type { Serde } from '../../serdes/serde.js';
import { StoreNotReadyError } from '../state-store-error.js';
import type { BackingOp } from './bytes-backing.js';
import { MemoryBacking } from './memory-backing.js';
import type { ManagedStore, StoreInit } from './managed-store.js';
import { DEFAULT_WRITE_BEHIND, StagedEntries, type ValueCodec } from './staged-entries.js';

/**
 * Plumbing shared by the built-in stores: staged entries over the backing the runtime hands in,
 * restoration straight into the backing, commit and discard. Subclasses add the typed API.
 */
export abstract class StoreBase<T> implements ManagedStore {
  private entriesValue: StagedEntries<T> | undefined;
  private initValue: StoreInit | undefined;
  private ready = false;
  private flushHook: (() => number) | undefined;

  constructor(
    readonly name: string,
    /** Whether results are held back and forwarded once per key per commit (see onFlush). */
    readonly caching = false,
  ) {}

  /** A processor holding results back (caching) forwards them when the task commits. */
  onFlush(hook: () => number): void {
    this.flushHook = hook;
  }

  protected get entries(): StagedEntries<T> {
    if (this.entriesValue === undefined) throw new StoreNotReadyError(this.name, 'the store is not initialized yet');
    return this.entriesValue;
  }

  protected get context(): StoreInit {
    if (this.initValue === undefined) throw new StoreNotReadyError(this.name, 'the store is not initialized yet');
    return this.initValue;
  }

  /** The topic name serdes see: the changelog's, whether or not logging is on. */
  protected get serdeTopic(): string {
    return this.context.changelogTopic ?? `${this.context.applicationId}-${this.name}-changelog`;
  }

  protected abstract codec(init: StoreInit): ValueCodec<T>;

  /**
   * Whether the values this store stages are objects its own code built and nobody else keeps (a
   * window store's item arrays); a commit's written objects may then be reused by the next reader
   * instead of decoded again (see StagedEntries' `reuseCommitted`).
   */
  protected get ownsValues(): boolean {
    return false;
  }

  init(init: StoreInit): void {
    this.initValue = init;
    // Write-behind only where the changelog can replay held-back writes after a crash, and the
    // backing is slow to write (LevelDB; a memory backing is rebuilt from the changelog anyway).
    const writeBehind = init.changelogTopic !== undefined && !(init.backing instanceof MemoryBacking);
    this.entriesValue = new StagedEntries(init.backing, this.codec(init), { reuseCommitted: this.ownsValues, ...(writeBehind && { writeBehind: DEFAULT_WRITE_BEHIND }) });
  }

  get checkpoint(): number | undefined {
    return this.context.backing.checkpoint;
  }

  wipe(): Promise<void> {
    return this.context.backing.clear();
  }

  async restore(records: readonly BackingOp[], nextOffset: number): Promise<void> {
    await this.context.backing.write(records, nextOffset);
  }

  restored(): void {
    this.entries.invalidate();
    this.ready = true;
  }

  /** Applies records of a global store's topic (already committed there): no staging, no changelog. */
  applyCommitted(ops: readonly BackingOp[]): Promise<void> {
    return this.entries.applyCommitted(ops);
  }

  get queryable(): boolean {
    return this.ready;
  }

  get stagedCount(): number {
    return this.entriesValue?.stagedCount ?? 0;
  }

  get stagedWrites(): number {
    return this.entriesValue?.stagedWrites ?? 0;
  }

  flushCache(): number {
    return this.flushHook?.() ?? 0;
  }

  prepareCommit(): readonly BackingOp[] {
    return this.entries.prepareCommit();
  }

  commit(checkpoint: number | undefined): Promise<void> {
    return this.entries.commit(checkpoint);
  }

  discard(): void {
    this.entriesValue?.discard();
  }

  async close(): Promise<void> {
    this.ready = false;
    try {
      await this.entriesValue?.writeUnwritten();
    } finally {
      await this.initValue?.backing.close();
    }
  }
}

/** A codec from a serde, writing for the store's changelog topic. */
export function serdeCodec<T>(serde: Serde<T>, topic: string): ValueCodec<T> {
  return { encode: (v) => serde.serialize(topic, v), decode: (b) => serde.deserialize(topic, b) };
}
