import { Worker } from 'node:worker_threads';
import type { ResolvedStreamsConfig } from '../streams-config.js';
import { newMetrics, type StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import { capabilitiesOf, LogServer } from './log-server.js';
import { RpcChannel, type MessageEndpoint } from './rpc-channel.js';
import { STREAM_THREAD_ENTRY, type StreamThreadData } from './stream-thread.js';
import { deserializeError, type SerializedError } from './thread-errors.js';
import { ThreadGoneError } from './thread-gone-error.js';

/**
 * Starts a worker at the stream-thread entry. Run from TypeScript sources (tests, tsx), the
 * worker first registers tsx's loader: a loader flag in the worker's execArgv does not reach its
 * entry module on Node 20.
 */
function startWorker(data: StreamThreadData): Worker {
  const entry = new URL(STREAM_THREAD_ENTRY);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** What the pool tells its app. */
export type StreamThreadEvents = {
  /** A thread's state changed; `states` has every thread's current state. */
  onStates(states: readonly StreamsState[]): void;
  /** A thread failed for good (ERROR, or the worker died). */
  onFailure(error: unknown): void;
};

type Thread = { worker: Worker; channel: RpcChannel; server: LogServer; state: StreamsState; metrics: StreamsMetrics };

/**
 * The stream threads of one app, each a worker thread running its own StreamsApp over the main
 * thread's log (the main thread serves the log and takes no task). The threads are members of
 * the app's consumer group, so they split the tasks among themselves like app instances do.
 */
export class StreamThreadPool {
  private readonly threads: Thread[] = [];
  private closing = false;

  constructor(
    private readonly count: number,
    private readonly module: string,
    private readonly exportName: string,
    private readonly config: ResolvedStreamsConfig,
    private readonly events: StreamThreadEvents,
  ) {}

  /** Starts every thread; resolves once each has joined the group and got its tasks. */
  async start(): Promise<void> {
    for (let i = 0; i < this.count; i++) this.threads.push(this.spawn(i));
    await Promise.all(this.threads.map((t) => t.channel.call('start', [])));
  }

  private spawn(index: number): Thread {
    const decision = new SharedArrayBuffer(4);
    const c = this.config;
    const data: StreamThreadData = {
      tributaryStreamThread: true,
      threadIndex: index,
      module: this.module,
      exportName: this.exportName,
      capabilities: capabilitiesOf(c.log),
      decision,
      config: {
        applicationId: c.applicationId,
        stateDir: c.stateDir,
        processingGuarantee: c.processingGuarantee,
        commitIntervalMs: c.commitIntervalMs,
        deserializationExceptionHandler: c.deserializationExceptionHandler,
        maxPollRecords: c.maxPollRecords,
        pollIntervalMs: c.pollIntervalMs,
        taskTimeoutMs: c.taskTimeoutMs,
      },
    };
    const worker = startWorker(data);
    const channel = new RpcChannel(worker as unknown as MessageEndpoint);
    const thread: Thread = {
      worker,
      channel,
      server: new LogServer(channel, c.log),
      state: 'CREATED',
      metrics: newMetrics(),
    };
    channel.on('state', (state: StreamsState) => {
      thread.state = state;
      this.events.onStates(this.threads.map((t) => t.state));
      if (state === 'ERROR' && !this.closing) {
        void channel.call<SerializedError | undefined>('error', []).then(
          (e) => this.events.onFailure(e === undefined ? new Error(`stream thread ${index} failed`) : deserializeError(e)),
          (e: unknown) => this.events.onFailure(e),
        );
      }
    });
    channel.on('metrics', (metrics: StreamsMetrics) => (thread.metrics = metrics));
    channel.on('uncaught', (error: SerializedError) => {
      let answer = 2;
      try {
        answer = c.uncaughtExceptionHandler(deserializeError(error)) === 'replace_thread' ? 1 : 2;
      } catch {
        // A throwing handler counts as shutdown_client.
      }
      const cell = new Int32Array(decision);
      Atomics.store(cell, 0, answer);
      Atomics.notify(cell, 0);
    });
    const gone = (reason: string, error?: unknown) => {
      channel.close(reason);
      void thread.server.dispose();
      if (!this.closing) this.events.onFailure(error ?? new ThreadGoneError(reason));
    };
    worker.on('error', (e) => gone(`stream thread ${index} crashed: ${(e as Error)?.message ?? String(e)}`, e));
    worker.on('exit', (code) => gone(`stream thread ${index} exited with code ${code}`));
    return thread;
  }

  /** Every thread's counters, summed. */
  metrics(): StreamsMetrics {
    const sum = newMetrics();
    for (const t of this.threads) for (const k of Object.keys(sum) as (keyof StreamsMetrics)[]) sum[k] += t.metrics[k];
    return sum;
  }

  /** Closes every thread (each commits and leaves the group), then ends the workers. */
  async close(): Promise<void> {
    this.closing = true;
    const failures: unknown[] = [];
    await Promise.all(
      this.threads.map(async (t) => {
        try {
          const final = await t.channel.call<StreamsMetrics | undefined>('close', []);
          if (final !== undefined) t.metrics = final;
        } catch (e) {
          if (!(e instanceof ThreadGoneError)) failures.push(e);
        }
        t.channel.close('closed');
        await t.server.dispose();
        await t.worker.terminate(); // resolves once the worker has exited
      }),
    );
    if (failures.length > 0) throw failures[0];
  }
}
