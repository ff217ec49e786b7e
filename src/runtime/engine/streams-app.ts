import type { Topology } from '../../processor/topology.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { TopologyError } from '../../processor/topology-error.js';
import { TributaryError } from '../../errors/tributary-error.js';
import type { GroupMember, TopicPartition } from '../log/partitioned-log.js';
import { prepareTopics } from './app-topics.js';
import { Mutex } from './mutex.js';
import type { Serde } from '../../serdes/serde.js';
import { StoreNotReadyError } from '../../state/state-store-error.js';
import type { ReadOnlyKeyValueStore } from '../../state/key-value-store.js';
import { compositeStoreView, storeView } from './store-views.js';
import { GlobalStores, type GlobalTopicReader } from '../../state/internals/global-stores.js';
import type { StateStore } from '../../state/state-store.js';
import { resolveStreamsConfig, type ResolvedStreamsConfig, type StreamsConfig } from './streams-config.js';
import { newMetrics, type StreamsMetrics } from './streams-metrics.js';
import { canTransition, StreamsStateError, type StreamsState } from './streams-state.js';
import { TaskManager } from './task-manager.js';
import { InvalidConfigError } from '../log/errors.js';
import { StreamThreadPool } from './threads/stream-thread-pool.js';
import { ThreadGoneError } from './threads/thread-gone-error.js';
import { loadTopologyModule, moduleSpecifier } from './threads/topology-module.js';

/** How long tasks lost to a fenced producer wait for a rebalance before being recreated. */
const MIGRATION_GRACE_MS = 5_000;
/** Pause before tasks restart after a retriable log error. */
const RECOVERY_BACKOFF_MS = 500;
/** Longest pause between replace_thread restarts that keep failing (the pause doubles from RECOVERY_BACKOFF_MS). */
const MAX_REPLACE_BACKOFF_MS = 10_000;

export type StateListener = (newState: StreamsState, oldState: StreamsState) => void;

/** How an app was made, beyond its config: set by fromModule and by stream threads. */
type Origin = {
  /** The topology module (fromModule): what stream threads import, and its default serdes. */
  module?: { specifier: string; exportName: string; defaultKeySerde?: Serde<unknown>; defaultValueSerde?: Serde<unknown> };
  /** Set inside a stream thread: its number (global stores get a folder per thread). */
  threadIndex?: number;
  /**
   * Set for stream thread 0, which also serves the log to the worker threads: it processes at
   * most this many records per round, so their log calls (answered between its rounds) wait
   * less than a millisecond or so.
   */
  recordsPerRound?: number;
};

/**
 * Thread 0's round, with workers to serve (see Origin.recordsPerRound). Measured on 2 cores, 1M
 * records: unbounded rounds left the worker waiting for its sends about a third of the time.
 */
const SERVING_RECORDS_PER_ROUND = 500;

/**
 * Runs a topology on a log: joins the consumer group `applicationId`, turns assigned partitions
 * into tasks, and loops poll → process → produce → commit until closed. Several instances with
 * one applicationId share the partitions. Kafka Streams equivalent: `KafkaStreams`.
 *
 * @example
 * const app = new StreamsApp(builder.build(), { applicationId: 'clicks', log, processingGuarantee: 'exactly_once' });
 * await app.start();
 * // …
 * await app.close();
 */
export class StreamsApp {
  private readonly config: ResolvedStreamsConfig;
  private readonly subtopologies: Subtopology[];
  private readonly metricsValue: StreamsMetrics = newMetrics();
  private readonly mutex = new Mutex();
  private readonly listeners: StateListener[] = [];
  private stateValue: StreamsState = 'CREATED';
  private manager: TaskManager | undefined;
  private globals: GlobalStores | undefined;
  private member: GroupMember | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Ends the pause between restarts early (set while one runs). */
  private endPause: (() => void) | undefined;
  private failure: unknown;
  /** The stream threads, when the app runs on worker threads (numStreamThreads > 1). */
  private pool: StreamThreadPool | undefined;
  /** Set while a failed stream thread takes the others down (close() waits for it). */
  private failing: Promise<void> | undefined;

  /** `origin` is internal: StreamsApp.fromModule and stream threads set it. */
  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
    private readonly origin: Origin = {},
  ) {
    this.config = resolveStreamsConfig(config);
    this.subtopologies = topology.subtopologies();
    if (this.config.numStreamThreads > 1) {
      if (origin.module === undefined) {
        throw new InvalidConfigError('numStreamThreads', 'more than one stream thread needs StreamsApp.fromModule(module, config): each worker thread builds the topology from the module');
      }
      for (const option of ['defaultKeySerde', 'defaultValueSerde', 'clock'] as const) {
        if (config[option] !== undefined) {
          throw new InvalidConfigError(option, `cannot be passed to stream threads (worker threads); ${option === 'clock' ? 'leave it out' : `export ${option} from the topology module instead`}`);
        }
      }
    }
  }

  /**
   * An app whose topology comes from a module, so that it can run on several stream threads
   * (`numStreamThreads`): each worker thread imports the module and builds its own copy. The
   * module exports the Topology (or a function, sync or async, returning one) as `exportName`,
   * and may export `defaultKeySerde` / `defaultValueSerde`.
   *
   * @example
   * // topology.ts: export default () => { const b = new StreamsBuilder(); …; return b.build(); };
   * const app = await StreamsApp.fromModule(new URL('./topology.js', import.meta.url), { applicationId: 'clicks', log, numStreamThreads: 2 });
   */
  static async fromModule(module: string | URL, config: StreamsConfig, exportName = 'default'): Promise<StreamsApp> {
    const specifier = moduleSpecifier(module);
    const loaded = await loadTopologyModule(specifier, exportName);
    const defaults = { ...(loaded.defaultKeySerde !== undefined && { defaultKeySerde: loaded.defaultKeySerde }), ...(loaded.defaultValueSerde !== undefined && { defaultValueSerde: loaded.defaultValueSerde }) };
    // With threads, config serdes are refused (workers cannot get them): the module's go by origin.
    return new StreamsApp(loaded.topology, (config.numStreamThreads ?? 1) > 1 ? config : { ...defaults, ...config }, { module: { specifier, exportName, ...defaults } });
  }

  get state(): StreamsState {
    return this.stateValue;
  }

  /** The error that put the application in ERROR, if any. */
  get error(): unknown {
    return this.failure;
  }

  /** Called on every state change. Kafka Streams equivalent: `setStateListener`. */
  setStateListener(listener: StateListener): void {
    this.listeners.push(listener);
  }

  metrics(): Readonly<StreamsMetrics> {
    return this.pool?.metrics() ?? { ...this.metricsValue };
  }

  private transition(to: StreamsState): void {
    const from = this.stateValue;
    if (from === to && to !== 'REBALANCING') return;
    if (!canTransition(from, to)) throw new StreamsStateError(`move to ${to}`, from);
    this.stateValue = to;
    for (const listener of this.listeners) listener(to, from);
  }

  private resolveTopic = (name: string): string => (this.topology.internalTopics.has(name) ? `${this.config.applicationId}-${name}` : name);

  /** Creates internal topics, joins the group and starts processing; resolves once tasks are assigned. */
  async start(): Promise<void> {
    if (this.stateValue !== 'CREATED') throw new StreamsStateError('start', this.stateValue);
    this.transition('REBALANCING');
    if (this.config.numStreamThreads > 1) return this.startThreads();
    try {
      const counts = await prepareTopics({
        log: this.config.log,
        applicationId: this.config.applicationId,
        topology: this.topology,
        subtopologies: this.subtopologies,
        resolveTopic: this.resolveTopic,
        clock: this.config.clock,
      });
      await this.openGlobalStores(counts);
      const globalStores = new Map<string, StateStore>([...(this.globals?.stores ?? [])].map(([name, g]) => [name, g.store]));
      const manager = new TaskManager(this.subtopologies, this.config, this.metricsValue, this.resolveTopic, counts, this.topology, globalStores, this.origin.recordsPerRound, () => this.member?.memberId);
      this.manager = manager;
      this.member = await this.config.log.joinGroup(this.config.applicationId, {
        topics: manager.allSourceTopics,
        onPartitionsRevoked: (partitions) => this.onRevoked(partitions),
        onPartitionsAssigned: (partitions) => this.onAssigned(partitions),
      });
      if ((this.stateValue as StreamsState) === 'REBALANCING') this.transition('RUNNING');
      this.loop = this.runLoop();
    } catch (e) {
      this.failure = e;
      this.transition('PENDING_ERROR');
      await this.globals?.close().catch(() => undefined);
      this.transition('ERROR');
      throw e;
    }
  }

  /** Starts the stream threads (this thread's and the workers); the app's state follows theirs. */
  private async startThreads(): Promise<void> {
    const module = this.origin.module!;
    const local = new StreamsApp(
      this.topology,
      {
        ...this.config,
        numStreamThreads: 1,
        ...(module.defaultKeySerde !== undefined && { defaultKeySerde: module.defaultKeySerde }),
        ...(module.defaultValueSerde !== undefined && { defaultValueSerde: module.defaultValueSerde }),
      },
      { threadIndex: 0, recordsPerRound: SERVING_RECORDS_PER_ROUND },
    );
    const pool = new StreamThreadPool(this.config.numStreamThreads, module, local, this.config, {
      onStates: (states) => {
        if (this.stateValue === 'RUNNING' && states.includes('REBALANCING')) this.transition('REBALANCING');
        else if (this.stateValue === 'REBALANCING' && this.loop !== undefined && states.every((s) => s === 'RUNNING')) this.transition('RUNNING');
      },
      onFailure: (e) => void this.failThreads(e),
    });
    this.pool = pool;
    try {
      await pool.start();
    } catch (e) {
      // A thread that failed after starting (its first records) cut the others' start short:
      // the app started, and is in ERROR with that failure, as with one thread.
      if (e instanceof ThreadGoneError && this.failure !== undefined) return this.failing;
      await this.failThreads(e);
      throw e;
    }
    // Marks the app started (close() waits on it); the threads run their own loops.
    this.loop = Promise.resolve();
    if ((this.stateValue as StreamsState) === 'REBALANCING') this.transition('RUNNING');
  }

  /** One stream thread failed for good: stop the others, and the app goes to ERROR (shutdown_client). */
  private failThreads(e: unknown): Promise<void> {
    if (!canTransition(this.stateValue, 'PENDING_ERROR')) return this.failing ?? Promise.resolve();
    this.failure = e;
    this.transition('PENDING_ERROR');
    this.failing = (async () => {
      await this.pool?.close().catch(() => undefined);
      this.transition('ERROR');
    })();
    return this.failing;
  }

  /** Opens the global stores (GlobalKTable) and loads them to the end of their topics. */
  private async openGlobalStores(counts: Map<string, number>): Promise<void> {
    const specs = [...this.topology.globalStores.values()];
    if (specs.length === 0) return;
    const existing = new Set(await this.config.log.listTopics());
    for (const spec of specs) {
      if (!counts.has(spec.topic) && !existing.has(spec.topic)) {
        throw new TopologyError(`Global table topic "${spec.topic}" does not exist; create it before starting the application`);
      }
    }
    this.globals = await GlobalStores.open(
      specs.map((s) => ({ builder: s.builder, topic: s.topic, keySerde: s.keySerde ?? this.config.defaultKeySerde, valueSerde: s.valueSerde ?? this.config.defaultValueSerde })),
      {
        applicationId: this.config.applicationId,
        stateDir: this.config.stateDir,
        recordTimestamp: () => this.config.clock(),
        ...(this.origin.threadIndex !== undefined && { folder: `global-thread-${this.origin.threadIndex}` }),
      },
    );
    const loaded = await this.globals.bootstrap(this.globalReader);
    this.metricsValue.restoredRecords += loaded;
  }

  private readonly globalReader: GlobalTopicReader = {
    partitions: async (topic) => (await this.config.log.describeTopic(topic)).partitions.length,
    startOffset: async (topic, partition) => (await this.config.log.describeTopic(topic)).partitions[partition]?.startOffset ?? 0,
    read: async (topic, partition, offset) => {
      const records = await this.config.log.fetch({ topic, partition, offset, maxRecords: 10_000, isolation: 'read_committed' });
      const keyed = records.filter((r) => r.key !== null);
      return {
        ops: keyed.map((r) => ({ key: r.key!, value: r.value })),
        offsets: keyed.map((r) => r.offset),
        next: records.length > 0 ? records[records.length - 1]!.offset + 1 : offset,
      };
    },
  };

  private onRevoked(partitions: TopicPartition[]): Promise<void> {
    return this.rebalanceStep(async () => {
      if (this.stateValue === 'RUNNING') this.transition('REBALANCING');
      this.metricsValue.rebalances++;
      await this.manager?.revoke(partitions);
    });
  }

  private onAssigned(partitions: TopicPartition[]): Promise<void> {
    return this.rebalanceStep(async () => {
      if (this.stateValue === 'RUNNING') this.transition('REBALANCING');
      await this.manager?.assign(partitions);
      if (this.stateValue === 'REBALANCING' && this.member !== undefined) this.transition('RUNNING');
    });
  }

  /**
   * A rebalance callback runs inside the log's group machinery, which may not report its errors
   * to anyone: a failure here (a task that cannot initialize) stops the application in ERROR.
   */
  private rebalanceStep(step: () => Promise<void>): Promise<void> {
    return this.mutex.run(step).catch((e: unknown) => {
      if (this.member === undefined) throw e; // still in start(): start() reports it
      this.failure ??= e;
      this.stopping = true;
      if (canTransition(this.stateValue, 'PENDING_ERROR')) {
        this.transition('PENDING_ERROR');
        this.transition('ERROR');
      }
    });
  }

  /** Waits `ms` between restarts; close() cuts the wait short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.endPause = done;
    });
  }

  private async runLoop(): Promise<void> {
    const manager = this.manager!;
    let failingSince: number | undefined;
    let replacedInARow = 0;
    let recover = false;
    while (!this.stopping) {
      let processed = 0;
      try {
        processed = await this.mutex.run(async () => {
          if (recover) {
            await manager.assign(this.member?.assignment() ?? []);
            recover = false;
          }
          await manager.recreateMigrated(this.member?.assignment() ?? [], MIGRATION_GRACE_MS);
          const globalUpdates = (await this.globals?.poll(this.globalReader)) ?? 0;
          return (await manager.runOnce()) + globalUpdates;
        });
        failingSince = undefined;
        replacedInARow = 0;
      } catch (e) {
        if (this.stopping) return;
        const now = this.config.clock();
        // The log is unavailable for now (a broker is down; Kafka Streams: task.timeout.ms), or
        // the handler asks for it: start over from the last commit — drop uncommitted work now,
        // rebuild the tasks at the top of the loop (where a failure is handled like any other).
        const firstFailure = failingSince === undefined;
        const unavailable = e instanceof TributaryError && e.retriable && now - (failingSince ??= now) < this.config.taskTimeoutMs;
        if (unavailable || this.config.uncaughtExceptionHandler(e) === 'replace_thread') {
          await this.mutex.run(() => manager.closeAll(false)).catch(() => undefined);
          let pauseMs = 0;
          if (unavailable) {
            this.metricsValue.recoveries++;
            if (firstFailure) console.warn(`tributary: ${this.config.applicationId}: the log is unavailable (${(e as Error).message}); restarting tasks from the last commit, retrying for up to ${this.config.taskTimeoutMs} ms`);
            pauseMs = RECOVERY_BACKOFF_MS;
          } else {
            // A failure that repeats on every restart (a record the topology cannot process)
            // must not spin: each restart in a row waits twice as long as the last.
            if (replacedInARow > 0) pauseMs = Math.min(MAX_REPLACE_BACKOFF_MS, RECOVERY_BACKOFF_MS * 2 ** (replacedInARow - 1));
            replacedInARow++;
            console.warn(`tributary: ${this.config.applicationId}: replacing the stream thread after: ${(e as Error)?.message ?? String(e)}${pauseMs > 0 ? ` (restart ${replacedInARow} in a row, after ${pauseMs} ms)` : ''}`);
          }
          if (pauseMs > 0) await this.pause(pauseMs);
          recover = true;
          continue;
        }
        this.failure = e;
        this.transition('PENDING_ERROR');
        await this.mutex.run(() => manager.closeAll(false)).catch(() => undefined);
        await this.member?.leave().catch(() => undefined);
        await this.globals?.close().catch(() => undefined);
        this.transition('ERROR');
        return;
      }
      // A busy loop would otherwise run on microtasks alone and starve the rest of the process
      // (timers, I/O callbacks, and with stream threads the workers' log calls): yield each round.
      if (processed === 0) await new Promise((resolve) => setTimeout(resolve, this.config.pollIntervalMs));
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Read-only access to a state store of the running app (interactive queries): the instances
   * held by this instance's tasks. While the app is not RUNNING, or no task holding the store is
   * ready (restoring, rebalancing), calls throw the retriable StoreNotReadyError. With several
   * stream threads the view covers every thread's instances; a worker thread answers between two
   * of its rounds (the calling thread waits for `get`-like calls), and its values arrive as
   * structured clones (plain objects).
   *
   * @example
   * const counts = app.store<ReadOnlyKeyValueStore<string, number>>('word-counts');
   * counts.get('hello');
   */
  store<S extends StateStore = ReadOnlyKeyValueStore<unknown, unknown>>(name: string): S {
    const builder = this.topology.storeBuilder(name);
    if (this.config.numStreamThreads > 1) {
      return compositeStoreView(builder, () => {
        if (this.stateValue !== 'RUNNING' || this.pool === undefined) throw new StoreNotReadyError(name, `the application is ${this.stateValue}`);
        return this.pool.queriers(name);
      }) as unknown as S;
    }
    const local = () => {
      if (this.stateValue !== 'RUNNING') throw new StoreNotReadyError(name, `the application is ${this.stateValue}`);
      const global = this.globals?.get(name);
      if (global !== undefined) return [global];
      const stores = [...(this.manager?.tasks.values() ?? [])].flatMap((t) => t.storesByName.get(name) ?? []).filter((s) => s.queryable);
      if (stores.length === 0) throw new StoreNotReadyError(name, 'no task of this instance holds it right now (restoring or rebalancing)');
      return stores;
    };
    return storeView(builder, local) as unknown as S;
  }

  /** Stops processing, commits, leaves the group. The log stays open (it is the caller's). */
  async close(): Promise<void> {
    await this.failing;
    if (this.stateValue === 'NOT_RUNNING' || this.stateValue === 'PENDING_SHUTDOWN') return;
    const wasError = this.stateValue === 'ERROR';
    this.transition('PENDING_SHUTDOWN');
    this.stopping = true;
    this.endPause?.();
    if (this.pool !== undefined) {
      if (!wasError) await this.pool.close();
      this.transition('NOT_RUNNING');
      return;
    }
    await this.loop;
    if (!wasError && this.manager !== undefined) {
      const manager = this.manager;
      await this.mutex.run(() => manager.closeAll(true));
    }
    if (!wasError) await this.member?.leave();
    await this.globals?.close();
    this.transition('NOT_RUNNING');
  }
}
