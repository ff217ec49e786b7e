import type { StreamsApp } from '../streams-app.js';
import type { StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import type { PooledThread, PooledThreadEvents } from './pooled-thread.js';
import type { StoreQuerier } from '../store-views.js';

/**
 * Stream thread 0, on the app's own thread: a StreamsApp on the log itself, no message channel
 * in between. That thread serves the workers' log calls too, so its loop yields to the event
 * loop after every round (StreamsApp does) and their requests wait at most one round.
 */
export class LocalStreamThread implements PooledThread {
  private closing = false;

  constructor(
    private readonly app: StreamsApp,
    events: PooledThreadEvents,
  ) {
    app.setStateListener((state) => {
      events.onState();
      if (state === 'ERROR' && !this.closing) events.onFailure(app.error ?? new Error('stream thread 0 failed'));
    });
  }

  get state(): StreamsState {
    return this.app.state;
  }

  metrics(): StreamsMetrics {
    return this.app.metrics();
  }

  start(): Promise<void> {
    return this.app.start();
  }

  close(): Promise<void> {
    this.closing = true;
    return this.app.close();
  }

  querier(name: string): StoreQuerier {
    const store = () => this.app.store(name) as unknown as Record<string, (...args: unknown[]) => unknown>;
    return {
      now: (method, args) => store()[method]!(...args),
      later: async (method, args) => store()[method]!(...args),
    };
  }
}
