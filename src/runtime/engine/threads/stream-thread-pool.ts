import type { ResolvedStreamsConfig } from '../streams-config.js';
import { newMetrics, type StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import type { StreamsApp } from '../streams-app.js';
import { LocalStreamThread } from './local-stream-thread.js';
import type { PooledThread } from './pooled-thread.js';
import type { StoreQuerier } from '../store-views.js';
import { WorkerStreamThread } from './worker-stream-thread.js';

/** What the pool tells its app. */
export type StreamThreadEvents = {
  /** A thread's state changed; `states` has every thread's current state. */
  onStates(states: readonly StreamsState[]): void;
  /** A thread failed for good (ERROR, or the worker died). */
  onFailure(error: unknown): void;
};

/**
 * The stream threads of one app. Thread 0 runs on the app's own thread (`local`, a StreamsApp on
 * the log); threads 1..n-1 are worker threads, each running its own StreamsApp over the log that
 * the app's thread serves them. The threads are members of the app's consumer group, so they
 * split the tasks among themselves like app instances do.
 */
export class StreamThreadPool {
  private readonly threads: PooledThread[] = [];
  private closing = false;

  constructor(
    private readonly count: number,
    private readonly module: { specifier: string; exportName: string },
    private readonly local: StreamsApp,
    private readonly config: ResolvedStreamsConfig,
    private readonly events: StreamThreadEvents,
  ) {}

  /** Starts every thread; resolves once each has joined the group and got its tasks. */
  async start(): Promise<void> {
    const events = {
      onState: () => this.events.onStates(this.threads.map((t) => t.state)),
      onFailure: (e: unknown) => {
        if (!this.closing) this.events.onFailure(e);
      },
    };
    this.threads.push(new LocalStreamThread(this.local, events));
    for (let i = 1; i < this.count; i++) this.threads.push(new WorkerStreamThread(i, this.module, this.config, events));
    await Promise.all(this.threads.map((t) => t.start()));
  }

  /** Each thread's instances of store `name`, thread 0 first (interactive queries). */
  queriers(name: string): StoreQuerier[] {
    return this.threads.map((t) => t.querier(name));
  }

  /** Every thread's counters, summed. */
  metrics(): StreamsMetrics {
    const sum = newMetrics();
    for (const t of this.threads) {
      const m = t.metrics();
      for (const k of Object.keys(sum) as (keyof StreamsMetrics)[]) sum[k] += m[k];
    }
    return sum;
  }

  /** Closes every thread (each commits and leaves the group); the first failure is thrown after. */
  async close(): Promise<void> {
    this.closing = true;
    const failures: unknown[] = [];
    await Promise.all(this.threads.map((t) => t.close().catch((e: unknown) => void failures.push(e))));
    if (failures.length > 0) throw failures[0];
  }
}
