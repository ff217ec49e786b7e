import { Serdes } from '../../serdes/serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { StateStore } from '../../state/state-store.js';
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
};

/**
 * Runs a topology without a log: records piped in are processed at once by the same processors
 * the engine runs (one task per sub-topology), what sinks write is captured per topic, records
 * written to internal (repartition) topics flow on to the sub-topology that reads them, and the
 * driver commits after every input record. Kafka Streams equivalent: `TopologyTestDriver`.
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
  private executors: TaskExecutor[] | undefined;
  private readonly pending: { topic: string; key: Buffer | null; value: Buffer | null; timestamp: number; headers: Headers }[] = [];
  private storesReady: Promise<void> = Promise.resolve();
  private wallClock: number;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly config: TopologyTestDriverConfig = {},
  ) {
    this.applicationId = config.applicationId ?? 'test';
    this.wallClock = config.initialWallClockTimeMs ?? 0;
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
    this.wallClock += ms;
    for (const executor of this.tasks()) executor.punctuateWallClock(this.wallClock);
    await this.drainAndCommit();
  }

  /** A state store of the topology, for assertions. */
  getStateStore<S extends StateStore>(name: string): S {
    this.tasks();
    const store = this.stores.get(name);
    if (store === undefined) throw new TopologyError(`The topology has no state store named "${name}"`);
    return store as S;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const executor of this.executors ?? []) executor.close();
    for (const store of this.stores.values()) await store.close();
  }

  private queueOf(topic: string): CapturedRecord[] {
    let queue = this.outputs.get(topic);
    if (queue === undefined) this.outputs.set(topic, (queue = []));
    return queue;
  }

  private resolve = (name: string): string => (this.topology.internalTopics.has(name) ? `${this.applicationId}-${name}` : name);

  /** Tasks are made on first use, so every input topic (and RegExp match) is known by then. */
  private tasks(): TaskExecutor[] {
    if (this.executors !== undefined) return this.executors;
    const internal = new Set([...this.topology.internalTopics.keys()].map(this.resolve));
    const known = [...this.inputTopics];
    const inits: (void | Promise<void>)[] = [];
    this.executors = this.topology.subtopologies().map((sub) => {
      const taskStores = new Map<string, StateStore>();
      for (const name of sub.stores) {
        const store = this.topology.storeBuilder(name).build();
        taskStores.set(name, store);
        this.stores.set(name, store);
        inits.push(store.init({ applicationId: this.applicationId, taskId: `${sub.id}_0`, partition: 0 }));
      }
      const executor = new TaskExecutor(sub, {
        applicationId: this.applicationId,
        taskId: `${sub.id}_0`,
        partition: 0,
        defaultKeySerde: this.config.defaultKeySerde ?? Serdes.json(),
        defaultValueSerde: this.config.defaultValueSerde ?? Serdes.json(),
        resolveTopic: this.resolve,
        matchPattern: (pattern) => known.filter((t) => pattern.test(t)),
        partitionCount: () => 1,
        emit: (topic, _partition, key, value, timestamp, headers) => {
          if (internal.has(topic)) this.pending.push({ topic, key, value, timestamp, headers });
          else this.queueOf(topic).push({ key, value, timestamp, headers });
        },
        clock: () => this.wallClock,
        stores: taskStores,
        requestCommit: () => undefined,
      });
      return executor;
    });
    this.storesReady = Promise.all(inits).then(() => undefined);
    for (const executor of this.executors) executor.init();
    return this.executors;
  }

  private async pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number | undefined, headers: Headers): Promise<void> {
    if (this.closed) throw new TopologyError('The test driver is closed');
    this.tasks();
    await this.storesReady;
    this.processOne(topic, key, value, timestamp ?? this.wallClock, headers);
    await this.drainAndCommit();
  }

  private processOne(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    const readers = this.tasks().filter((e) => e.inputTopics.includes(topic));
    if (readers.length === 0) throw new TopologyError(`No source of the topology reads topic "${topic}"`);
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    for (const executor of readers) executor.process(topic, 0, offset, key, value, timestamp, headers);
  }

  /** Feeds internal-topic records on, then commits (flushes every store), as after each record. */
  private async drainAndCommit(): Promise<void> {
    while (this.pending.length > 0) {
      const r = this.pending.shift()!;
      this.processOne(r.topic, r.key, r.value, r.timestamp, r.headers);
    }
    for (const store of this.stores.values()) await store.flush();
  }
}
