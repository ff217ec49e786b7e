import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { SessionStore } from '../../state/session-store.js';
import type { StateStore } from '../../state/state-store.js';
import { GlobalStores } from '../../state/internals/global-stores.js';
import { TaskStores } from '../../state/internals/task-stores.js';
import type { WindowStore } from '../../state/window-store.js';
import { TaskExecutor } from '../internals/task-executor.js';
import type { Headers } from '../stream-record.js';
import type { Topology } from '../topology.js';
import { TopologyError } from '../topology-error.js';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic, type CapturedRecord } from './test-output-topic.js';

export type TopologyTestDriverConfig = {
  applicationId?: string;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  /** Start of the driver's wall clock in ms (default 0, so tests are repeatable). */
  initialWallClockTimeMs?: number;
  /** Where LevelDB stores live; default a fresh temporary folder, removed by close(). */
  stateDir?: string;
};

type Task = { executor: TaskExecutor; stores: TaskStores };
type Pending = { topic: string; key: Buffer | null; value: Buffer | null; timestamp: number; headers: Headers };

/**
 * Runs a topology without a log: records piped in are processed at once by the same processors
 * the engine runs (one task per sub-topology), what sinks write is captured per topic, records
 * written to internal (repartition) topics flow on to the sub-topology that reads them, and the
 * driver commits after every input record (caches flush, changelog records are captured as
 * output of `<applicationId>-<store>-changelog`, LevelDB stores apply their writes).
 * Kafka Streams equivalent: `TopologyTestDriver`.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build());
 * const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
 * const output = driver.createOutputTopic('long-words', Serdes.string(), Serdes.string());
 * await input.pipeInput('k', 'streaming', 1_000);
 * output.readKeyValuesToList(); // [{ key: 'k', value: 'streaming' }]
 */
export class TopologyTestDriver {
  private readonly applicationId: string;
  private readonly outputs = new Map<string, CapturedRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly inputTopics = new Set<string>();
  private readonly stores = new Map<string, StateStore>();
  private readonly globalStores = new Map<string, StateStore>();
  private readonly pending: Pending[] = [];
  private readonly stateDir: string;
  private readonly ownsStateDir: boolean;
  private tasksPromise: Promise<Task[]> | undefined;
  private globals: GlobalStores | undefined;
  private wallClock: number;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly config: TopologyTestDriverConfig = {},
  ) {
    this.applicationId = config.applicationId ?? 'test';
    this.wallClock = config.initialWallClockTimeMs ?? 0;
    this.ownsStateDir = config.stateDir === undefined;
    this.stateDir = config.stateDir ?? mkdtempSync(join(tmpdir(), 'tributary-driver-'));
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestInputTopic<K, V> {
    this.inputTopics.add(topic);
    return new TestInputTopic(topic, (t, k, v, ts, h) => this.pipe(t, k, v, ts, h), keySerde, valueSerde);
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, this.queueOf(topic), keySerde, valueSerde);
  }

  /** Moves the wall clock forward and fires the wall-clock punctuators that became due. */
  async advanceWallClockTime(ms: number): Promise<void> {
    // Kafka's refuses a negative advance too: wall-clock punctuators never see the clock go back.
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TopologyError(`advanceWallClockTime expects a finite number of milliseconds >= 0, got ${String(ms)}`);
    const tasks = await this.tasks();
    this.wallClock += ms;
    for (const t of tasks) t.executor.punctuateWallClock(this.wallClock);
    await this.drainAndCommit(tasks);
  }

  /** A state store of the topology, for assertions (available once a record was piped). */
  getStateStore<S extends StateStore>(name: string): S {
    const store = this.stores.get(name);
    if (store === undefined) {
      const hint = this.tasksPromise === undefined ? ' (stores open with the first piped record)' : '';
      throw new TopologyError(`The topology has no open state store named "${name}"${hint}`);
    }
    return store as S;
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.getStateStore<KeyValueStore<K, V>>(name);
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.getStateStore<WindowStore<K, V>>(name);
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> {
    return this.getStateStore<SessionStore<K, V>>(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const tasks = this.tasksPromise === undefined ? [] : await this.tasksPromise.catch(() => []);
    for (const t of tasks) {
      t.executor.close();
      await t.stores.close();
    }
    await this.globals?.close();
    if (this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }

  private queueOf(topic: string): CapturedRecord[] {
    let queue = this.outputs.get(topic);
    if (queue === undefined) this.outputs.set(topic, (queue = []));
    return queue;
  }

  private resolve = (name: string): string => (this.topology.internalTopics.has(name) ? `${this.applicationId}-${name}` : name);

  /** Tasks are made on first use, so every input topic (and RegExp match) is known by then. */
  private tasks(): Promise<Task[]> {
    this.tasksPromise ??= this.makeTasks();
    return this.tasksPromise;
  }

  private async makeTasks(): Promise<Task[]> {
    const internal = new Set([...this.topology.internalTopics.keys()].map(this.resolve));
    const known = [...this.inputTopics];
    const tasks: Task[] = [];
    for (const sub of this.topology.subtopologies()) {
      const taskId = `${sub.id}_0`;
      let executor: TaskExecutor | undefined;
      const stores = await TaskStores.open(sub.stores.map((s) => this.topology.storeBuilder(s)), {
        applicationId: this.applicationId,
        taskId,
        partition: 0,
        stateDir: this.stateDir,
        defaultKeySerde: this.config.defaultKeySerde ?? Serdes.json(),
        defaultValueSerde: this.config.defaultValueSerde ?? Serdes.json(),
        recordTimestamp: () => executor?.recordTimestamp ?? -1,
        changelogTopic: (store) => `${this.applicationId}-${store}-changelog`,
      });
      await stores.restore({ bounds: async () => ({ start: 0, end: 0 }), read: async (_t, _p, offset) => ({ ops: [], next: offset }) });
      for (const [name, store] of stores.stores) this.stores.set(name, store);
      executor = new TaskExecutor(sub, {
        applicationId: this.applicationId,
        taskId,
        partition: 0,
        defaultKeySerde: this.config.defaultKeySerde ?? Serdes.json(),
        defaultValueSerde: this.config.defaultValueSerde ?? Serdes.json(),
        resolveTopic: this.resolve,
        matchPattern: (pattern) => known.filter((t) => pattern.test(t)),
        partitionCount: () => 1,
        write: (topic, _partition, keySerde, k, valueSerde, v, timestamp, headers) => {
          const key = k === null || k === undefined ? null : keySerde.serialize(topic, k);
          const value = v === null || v === undefined ? null : valueSerde.serialize(topic, v);
          if (internal.has(topic)) this.pending.push({ topic, key, value, timestamp, headers });
          else this.queueOf(topic).push({ key, value, timestamp, headers });
        },
        clock: () => this.wallClock,
        stores: stores.stores,
        globalStores: this.globalStores,
        requestCommit: () => undefined,
      });
      tasks.push({ executor, stores });
    }
    const globalSpecs = [...this.topology.globalStores.values()];
    if (globalSpecs.length > 0) {
      this.globals = await GlobalStores.open(
        globalSpecs.map((g) => ({ builder: g.builder, topic: g.topic, keySerde: g.keySerde ?? this.config.defaultKeySerde ?? Serdes.json(), valueSerde: g.valueSerde ?? this.config.defaultValueSerde ?? Serdes.json() })),
        { applicationId: this.applicationId, stateDir: this.stateDir, recordTimestamp: () => this.wallClock },
      );
      await this.globals.bootstrap({ partitions: async () => 1, startOffset: async () => 0, read: async (_t, _p, offset) => ({ ops: [], offsets: [], next: offset }) });
      for (const [name, g] of this.globals.stores) {
        this.stores.set(name, g.store);
        this.globalStores.set(name, g.store);
      }
    }
    for (const t of tasks) t.executor.init();
    return tasks;
  }

  private async pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number | undefined, headers: Headers): Promise<void> {
    if (this.closed) throw new TopologyError('The test driver is closed');
    const tasks = await this.tasks();
    const global = [...(this.globals?.stores.values() ?? [])].find((g) => g.topic === topic);
    if (global !== undefined) {
      // A global table's topic goes straight into its store, as the engine's global thread does.
      if (key !== null) await global.store.applyCommitted([{ key, value }]);
      return;
    }
    this.processOne(tasks, topic, key, value, timestamp ?? this.wallClock, headers);
    await this.drainAndCommit(tasks);
  }

  private processOne(tasks: Task[], topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    const readers = tasks.filter((t) => t.executor.inputTopics.includes(topic));
    if (readers.length === 0) throw new TopologyError(`No source of the topology reads topic "${topic}"`);
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    for (const t of readers) t.executor.process(topic, 0, offset, key, value, timestamp, headers);
  }

  /** Feeds internal-topic records on and flushes caches until quiet, then commits every store. */
  private async drainAndCommit(tasks: Task[]): Promise<void> {
    do {
      while (this.pending.length > 0) {
        const r = this.pending.shift()!;
        this.processOne(tasks, r.topic, r.key, r.value, r.timestamp, r.headers);
      }
      for (const t of tasks) t.stores.flushCaches();
    } while (this.pending.length > 0);
    for (const t of tasks) {
      const checkpoints = new Map<string, number>();
      for (const c of t.stores.prepareCommit()) {
        for (const op of c.ops) {
          const offset = this.offsets.get(c.topic) ?? 0;
          this.offsets.set(c.topic, offset + 1);
          this.queueOf(c.topic).push({ key: op.key, value: op.value, timestamp: op.timestamp ?? 0, headers: {} });
          checkpoints.set(c.store, offset + 1);
        }
      }
      await t.stores.commit(checkpoints);
    }
  }
}
