import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DeserializationExceptionHandler, UncaughtExceptionResponse } from '../streams-config.js';
import { StreamsApp } from '../streams-app.js';
import { loadTopologyModule } from './topology-module.js';
import { RemoteLog } from './remote-log.js';
import type { LogCapabilities } from './log-server.js';
import { RpcChannel, type MessageEndpoint } from './rpc-channel.js';
import { serializeError } from './thread-errors.js';
import { StoreAnswers } from './store-answers.js';
import { StoreNotReadyError } from '../../../state/state-store-error.js';

/**
 * The module a stream thread's worker starts from. Bundled, it is the library file itself, so a
 * topology module that imports the library shares this copy of it (its classes, its errors).
 */
export const STREAM_THREAD_ENTRY = import.meta.url;

/** What the main thread hands a stream thread: only plain data crosses. */
export type StreamThreadData = {
  tributaryStreamThread: true;
  threadIndex: number;
  module: string;
  exportName: string;
  capabilities: LogCapabilities;
  /** The handler's answer goes here: 0 waiting, 1 replace_thread, 2 shutdown_client. */
  decision: SharedArrayBuffer;
  /** Answers to store queries the main thread waits for (see store-answers.ts). */
  answers: SharedArrayBuffer;
  config: {
    applicationId: string;
    stateDir: string;
    processingGuarantee: 'at_least_once' | 'exactly_once';
    commitIntervalMs: number;
    deserializationExceptionHandler: DeserializationExceptionHandler;
    maxPollRecords: number;
    pollIntervalMs: number;
    taskTimeoutMs: number;
  };
};

/** How often a stream thread reports its metrics to the main thread. */
const METRICS_INTERVAL_MS = 50;

/** How long a stream thread waits for the main thread's uncaught-exception decision. */
const DECISION_TIMEOUT_MS = 30_000;

async function runStreamThread(data: StreamThreadData): Promise<void> {
  const channel = new RpcChannel(parentPort as unknown as MessageEndpoint);
  const log = new RemoteLog(channel, data.capabilities);
  const decision = new Int32Array(data.decision);
  // The handler is the user's function on the main thread; the engine asks it synchronously,
  // so this thread blocks until the main thread has answered.
  const uncaughtExceptionHandler = (error: unknown): UncaughtExceptionResponse => {
    Atomics.store(decision, 0, 0);
    channel.emit('uncaught', serializeError(error));
    Atomics.wait(decision, 0, 0, DECISION_TIMEOUT_MS);
    return Atomics.load(decision, 0) === 1 ? 'replace_thread' : 'shutdown_client';
  };
  let app: StreamsApp | undefined;
  channel.handle('start', async () => {
    const loaded = await loadTopologyModule(data.module, data.exportName);
    app = new StreamsApp(
      loaded.topology,
      {
        ...data.config,
        log,
        uncaughtExceptionHandler,
        ...(loaded.defaultKeySerde !== undefined && { defaultKeySerde: loaded.defaultKeySerde }),
        ...(loaded.defaultValueSerde !== undefined && { defaultValueSerde: loaded.defaultValueSerde }),
      },
      { threadIndex: data.threadIndex },
    );
    const started = app;
    started.setStateListener((state) => channel.emit('state', state));
    let last = '';
    setInterval(() => {
      const metrics = started.metrics();
      const json = JSON.stringify(metrics);
      if (json !== last) channel.emit('metrics', metrics);
      last = json;
    }, METRICS_INTERVAL_MS).unref();
    await started.start();
  });
  channel.handle('close', async () => {
    await app?.close();
    return app?.metrics();
  });
  channel.handle('error', () => (app?.error === undefined ? undefined : serializeError(app.error)));
  // Interactive queries: app.store() on the main thread asks each thread's own instances.
  const storeOf = (name: string) => {
    if (app === undefined) throw new StoreNotReadyError(name, 'the stream thread has not started');
    return app.store(name) as unknown as Record<string, (...args: unknown[]) => unknown>;
  };
  channel.handle('query', (name: string, method: string, args: unknown[]) => storeOf(name)[method]!(...args));
  const answers = new StoreAnswers(data.answers);
  channel.on('queryNow', (q: { seq: number; name: string; method: string; args: unknown[] }) => answers.answer(q.seq, () => storeOf(q.name)[q.method]!(...q.args)));
}

if (!isMainThread && (workerData as StreamThreadData | undefined)?.tributaryStreamThread === true) {
  void runStreamThread(workerData as StreamThreadData);
}
