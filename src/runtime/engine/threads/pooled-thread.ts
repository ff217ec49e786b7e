import type { StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import type { StoreQuerier } from '../store-views.js';

/** One stream thread as its pool sees it: a worker thread, or the app's own thread. */
export interface PooledThread {
  readonly state: StreamsState;
  metrics(): StreamsMetrics;
  /** Resolves once the thread has joined the group and got its tasks. */
  start(): Promise<void>;
  /** Commits, leaves the group and ends the thread. */
  close(): Promise<void>;
  /** Asks this thread's instances of store `name` (interactive queries). */
  querier(name: string): StoreQuerier;
}

/** What a thread tells its pool. */
export type PooledThreadEvents = {
  onState(): void;
  /** The thread failed for good (ERROR, or its worker died). */
  onFailure(error: unknown): void;
};
