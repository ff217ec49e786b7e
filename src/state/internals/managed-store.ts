import type { StateStore, StateStoreContext } from '../state-store.js';
import type { BackingOp, BytesBacking } from './bytes-backing.js';

/** How the engine or test driver opens a store for a task. */
export type StoreInit = StateStoreContext & {
  backing: BytesBacking;
  /** Real name of the changelog topic, or undefined when logging is off. */
  changelogTopic: string | undefined;
};

/**
 * The lifecycle the runtime drives for every store it owns: open → restore → (process → commit)*
 * → close. Implemented by all built-in stores; not part of the public API.
 */
export interface ManagedStore extends StateStore {
  init(init: StoreInit): void;
  /** The changelog offset the committed contents reflect (undefined: unknown, restore everything). */
  readonly checkpoint: number | undefined;
  /** Deletes the committed contents (before a restore from the changelog's start). */
  wipe(): Promise<void>;
  /** Writes changelog records straight to the backing (restoration; nothing is staged). */
  restore(records: readonly BackingOp[], nextOffset: number): Promise<void>;
  /** Called once restoration is done, before processing. */
  restored(): void;
  /** Forwards results held back by caching; returns how many records it forwarded. */
  flushCache(): number;
  /** Writes staged since the last commit (key → bytes, null = delete), also the changelog records. */
  prepareCommit(): readonly BackingOp[];
  /** The commit succeeded: apply the prepared writes; `checkpoint` = next changelog offset, if logged. */
  commit(checkpoint: number | undefined): Promise<void>;
  /** Drops uncommitted writes. */
  discard(): void;
  /** Number of keys staged since the last commit (the engine commits early when it grows large). */
  readonly stagedCount: number;
  /** Writes staged since the last commit, a key counted once per write (>= stagedCount). */
  readonly stagedWrites: number;
  /** Whether queries may be answered (init and restore are done). */
  readonly queryable: boolean;
  close(): Promise<void>;
}

export function isManagedStore(store: StateStore): store is ManagedStore {
  return typeof (store as Partial<ManagedStore>).prepareCommit === 'function';
}
