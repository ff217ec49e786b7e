import { Worker } from 'node:worker_threads';
import type { ResolvedStreamsConfig } from '../streams-config.js';
import { newMetrics, type StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import { capabilitiesOf, LogServer } from './log-server.js';
import type { PooledThread, PooledThreadEvents } from './pooled-thread.js';
import { RpcChannel, type MessageEndpoint } from './rpc-channel.js';
import { STREAM_THREAD_ENTRY, type StreamThreadData } from './stream-thread.js';
import { StoreAnswers } from './store-answers.js';
import { deserializeError, type SerializedError } from './thread-errors.js';
import type { StoreQuerier } from '../store-views.js';
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

/** Longest wait for a worker's answer to a store query; past it the query fails as not ready (retriable). */
const QUERY_TIMEOUT_MS = 5_000;

/**
 * A stream thread on a worker thread: it builds the topology from the module and runs its own
 * StreamsApp over this thread's log, which a LogServer serves to it.
 */
export class WorkerStreamThread implements PooledThread {
  state: StreamsState = 'CREATED';
  private reported: StreamsMetrics = newMetrics();
  private readonly worker: Worker;
  private readonly channel: RpcChannel;
  private readonly server: LogServer;
  private closing = false;
  private readonly answers = StoreAnswers.allocate();
  private querySeq = 0;

  constructor(index: number, module: { specifier: string; exportName: string }, config: ResolvedStreamsConfig, events: PooledThreadEvents) {
    const decision = new SharedArrayBuffer(4);
    const c = config;
    this.worker = startWorker({
      tributaryStreamThread: true,
      threadIndex: index,
      module: module.specifier,
      exportName: module.exportName,
      capabilities: capabilitiesOf(c.log),
      decision,
      answers: this.answers.shared,
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
    });
    const channel = new RpcChannel(this.worker as unknown as MessageEndpoint);
    this.channel = channel;
    this.server = new LogServer(channel, c.log);
    channel.on('state', (state: StreamsState) => {
      this.state = state;
      events.onState();
      if (state === 'ERROR' && !this.closing) {
        void channel.call<SerializedError | undefined>('error', []).then(
          (e) => events.onFailure(e === undefined ? new Error(`stream thread ${index} failed`) : deserializeError(e)),
          (e: unknown) => events.onFailure(e),
        );
      }
    });
    channel.on('metrics', (metrics: StreamsMetrics) => (this.reported = metrics));
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
      void this.server.dispose();
      if (!this.closing) events.onFailure(error ?? new ThreadGoneError(reason));
    };
    this.worker.on('error', (e) => gone(`stream thread ${index} crashed: ${(e as Error)?.message ?? String(e)}`, e));
    this.worker.on('exit', (code) => gone(`stream thread ${index} exited with code ${code}`));
  }

  metrics(): StreamsMetrics {
    return this.reported;
  }

  /** Asks this thread's instances of store `name`: `now` waits here (up to QUERY_TIMEOUT_MS) for the answer. */
  querier(name: string): StoreQuerier {
    return {
      now: (method, args) => {
        const seq = ++this.querySeq;
        this.channel.emit('queryNow', { seq, name, method, args });
        return this.answers.await(seq, name, QUERY_TIMEOUT_MS);
      },
      later: (method, args) => this.channel.call('query', [name, method, args]),
    };
  }

  start(): Promise<void> {
    return this.channel.call('start', []);
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      const final = await this.channel.call<StreamsMetrics | undefined>('close', []);
      if (final !== undefined) this.reported = final;
    } catch (e) {
      if (!(e instanceof ThreadGoneError)) throw e;
    } finally {
      this.channel.close('closed');
      await this.server.dispose();
      await this.worker.terminate(); // resolves once the worker has exited
    }
  }
}
