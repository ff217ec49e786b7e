import { TributaryError } from '../../errors/tributary-error.js';
import type { Serde } from '../../serdes/serde.js';
import { SerializationError } from '../../serdes/serialization-error.js';
import type { StateStore } from '../../state/state-store.js';
import type { Cancellable, Processor, ProcessorContext, Punctuator, PunctuationType, RecordMetadata } from '../processor.js';
import { StreamRecord, type Headers } from '../stream-record.js';
import { TopologyError } from '../topology-error.js';
import type { SinkNode, SourceNode, Subtopology, TopologyNode } from '../topology-nodes.js';
import { PunctuationQueue } from './punctuation-schedule.js';

/**
 * Receives each record a sink writes, with the serdes to write its key and value with (null and
 * undefined stay null): the engine serializes it straight into a log batch where it can.
 * `partition` undefined: partition by key. Serializer errors are reported by the sink.
 */
export type WriteRecord = (
  topic: string,
  partition: number | undefined,
  keySerde: Serde<unknown>,
  key: unknown,
  valueSerde: Serde<unknown>,
  value: unknown,
  timestamp: number,
  headers: Headers,
) => void;

export type TaskSettings = {
  applicationId: string;
  taskId: string;
  partition: number;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  /** Real topic name of a topology topic name (internal topics get the application prefix). */
  resolveTopic: (name: string) => string;
  /** Real topic names matched by a source's RegExp, resolved when the task was created. */
  matchPattern: (pattern: RegExp) => string[];
  partitionCount: (topic: string) => number;
  write: WriteRecord;
  clock: () => number;
  stores: ReadonlyMap<string, StateStore>;
  /** Global stores (GlobalKTable), shared by every task of the instance. */
  globalStores?: ReadonlyMap<string, StateStore>;
  requestCommit: () => void;
  /** Called when a processor drops a record on purpose (counted in metrics). */
  onDropped?: (reason: string) => void;
};

/** A record's event time was negative or not a number. Kafka: `StreamsException` from FailOnInvalidTimestamp. */
export class InvalidTimestampError extends TributaryError {
  constructor(timestamp: number, where: RecordMetadata) {
    super('INVALID_TIMESTAMP', `Record at ${where.topic}-${where.partition} offset ${where.offset} has invalid timestamp ${timestamp}; use a timestampExtractor that returns a time >= 0`);
  }
}

/** Reads a value from bytes `start` to `end` of `buffer`, in place. */
type BytesReader<T> = (topic: string, buffer: Buffer, start: number, end: number) => T;

/**
 * A record as consumed from the log (a LogRecord fits). One that keeps its key and value bytes
 * where they were fetched (EmbeddedLog's record views) also hands them to a reader in place.
 */
export type ConsumedRecord = RecordMetadata & {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  readKey?<T>(read: BytesReader<T>): T | null;
  readValue?<T>(read: BytesReader<T>): T | null;
};

/** A serde as a BytesReader: its deserializeRange when it has one, else deserialize of a slice. */
function bytesReader<T>(serde: Serde<T>): BytesReader<T> {
  if (serde.deserializeRange !== undefined) return (topic, buffer, start, end) => serde.deserializeRange!(topic, buffer, start, end);
  return (topic, buffer, start, end) => serde.deserialize(topic, buffer.subarray(start, end));
}

function locationOf(r: RecordMetadata): RecordMetadata {
  return { topic: r.topic, partition: r.partition, offset: r.offset };
}

/** A deserialized record waiting to be processed (see TaskExecutor.prepare). */
export type PreparedRecord = { readonly node: unknown; readonly metadata: RecordMetadata; readonly record: StreamRecord<unknown, unknown> };

type Node = {
  spec: TopologyNode;
  children: Node[];
  receive: (record: StreamRecord<unknown, unknown>) => void;
  processor: Processor<unknown, unknown, unknown, unknown> | undefined;
};

/**
 * Runs one task's copy of a sub-topology: deserializes source records, pushes them through the
 * processors synchronously, serializes what sinks write, and fires punctuators. Shared by the
 * engine (runtime) and TopologyTestDriver, so both run exactly the same processors.
 */
export class TaskExecutor {
  private readonly nodes = new Map<string, Node>();
  private readonly sources = new Map<string, { spec: SourceNode; node: Node; readKey: BytesReader<unknown>; readValue: BytesReader<unknown> }>();
  private readonly partitionTime = new Map<string, number>();
  private readonly streamPunctuators = new PunctuationQueue('stream-time');
  private readonly wallPunctuators = new PunctuationQueue('wall-clock');
  private metadata: RecordMetadata | null = null;
  streamTime = -1;
  /** Timestamp of the record being processed, or the time a punctuator fires at. */
  recordTimestamp = -1;

  constructor(
    readonly subtopology: Subtopology,
    private readonly settings: TaskSettings,
  ) {
    for (const spec of subtopology.nodes) this.nodes.set(spec.name, this.makeNode(spec));
    for (const node of this.nodes.values()) {
      if (node.spec.kind !== 'source') for (const p of node.spec.parents) this.nodes.get(p)!.children.push(node);
    }
    for (const node of this.nodes.values()) {
      if (node.spec.kind !== 'source') continue;
      const topics = Array.isArray(node.spec.topics) ? node.spec.topics.map(settings.resolveTopic) : settings.matchPattern(node.spec.topics);
      for (const topic of topics) {
        if (this.sources.has(topic)) throw new TopologyError(`Topic "${topic}" is read by two sources of one sub-topology`);
        const spec = node.spec;
        this.sources.set(topic, { spec, node, readKey: bytesReader(spec.keySerde ?? settings.defaultKeySerde), readValue: bytesReader(spec.valueSerde ?? settings.defaultValueSerde) });
      }
    }
  }

  /** Real topic names this task reads. */
  get inputTopics(): string[] {
    return [...this.sources.keys()];
  }

  init(): void {
    for (const node of this.nodes.values()) {
      if (node.processor?.init !== undefined) node.processor.init(this.contextFor(node));
    }
  }

  /** Processes one consumed record (throws SerializationError with its location on bad bytes). */
  process(topic: string, partition: number, offset: number, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.processPrepared(this.prepare({ topic, partition, offset, key, value, timestamp, headers }));
  }

  /**
   * Deserializes a consumed record and extracts its event time, without processing it: a task
   * picks the next record across its partitions by this timestamp, as Kafka Streams does. The
   * consumed record itself serves as the metadata processors see (no copy per record).
   */
  prepare(consumed: ConsumedRecord): PreparedRecord {
    const { topic, timestamp } = consumed;
    const source = this.sources.get(topic);
    if (source === undefined) throw new TopologyError(`Task ${this.settings.taskId} does not read topic "${topic}"`);
    const spec = source.spec;
    let k: unknown = null;
    let v: unknown = null;
    try {
      if (consumed.readKey !== undefined && consumed.readValue !== undefined) {
        k = consumed.readKey(source.readKey);
        v = consumed.readValue(source.readValue);
      } else {
        const { key, value } = consumed;
        if (key !== null) k = (spec.keySerde ?? this.settings.defaultKeySerde).deserialize(topic, key);
        if (value !== null) v = (spec.valueSerde ?? this.settings.defaultValueSerde).deserialize(topic, value);
      }
    } catch (e) {
      const where = locationOf(consumed);
      throw SerializationError.reading(e, where, 'Cannot deserialize');
    }
    let ts = timestamp;
    if (spec.timestampExtractor !== undefined) {
      const { partition, offset, headers } = consumed;
      ts = spec.timestampExtractor({ key: k, value: v, timestamp, topic, partition, offset, headers }, this.partitionTime.get(topic) ?? -1);
    }
    if (!(ts >= 0)) throw new InvalidTimestampError(ts, locationOf(consumed));
    return { node: source.node, metadata: consumed, record: new StreamRecord(k, v, ts, consumed.headers) };
  }

  processPrepared(prepared: PreparedRecord): void {
    const { record, metadata } = prepared;
    const ts = record.timestamp;
    if (ts > (this.partitionTime.get(metadata.topic) ?? -1)) this.partitionTime.set(metadata.topic, ts);
    this.metadata = metadata;
    this.recordTimestamp = ts;
    (prepared.node as Node).receive(record);
    this.metadata = null;
    if (ts > this.streamTime) {
      this.streamTime = ts;
      if (this.streamPunctuators.size > 0) this.punctuate(this.streamPunctuators, ts);
    }
  }

  /** Fires wall-clock punctuators that are due. */
  punctuateWallClock(now = this.settings.clock()): number {
    return this.wallPunctuators.size === 0 ? 0 : this.punctuate(this.wallPunctuators, now);
  }

  close(): void {
    for (const node of this.nodes.values()) node.processor?.close?.();
  }

  private punctuate(queue: PunctuationQueue, now: number): number {
    return queue.fire(now, (run) => {
      this.metadata = null;
      this.recordTimestamp = now;
      run();
    });
  }

  private makeNode(spec: TopologyNode): Node {
    const node: Node = { spec, children: [], processor: undefined, receive: () => undefined };
    if (spec.kind === 'source') node.receive = (r) => this.forward(node, r, undefined);
    else if (spec.kind === 'processor') {
      const processor = spec.supplier();
      node.processor = processor;
      node.receive = (r) => processor.process(r);
    } else node.receive = (r) => this.sink(spec, r);
    return node;
  }

  private forward(from: Node, record: StreamRecord<unknown, unknown>, childName: string | undefined): void {
    const children = from.children;
    if (childName === undefined) {
      for (let i = 0; i < children.length; i++) children[i]!.receive(record);
      return;
    }
    const child = children.find((c) => c.spec.name === childName);
    if (child === undefined) throw new TopologyError(`Node "${from.spec.name}" has no child named "${childName}"`);
    child.receive(record);
  }

  private sink(spec: SinkNode, record: StreamRecord<unknown, unknown>): void {
    const s = this.settings;
    const topic = typeof spec.topic === 'string' ? s.resolveTopic(spec.topic) : spec.topic(record.key, record.value, this.metadata);
    const partition = spec.partitioner?.(topic, record.key, record.value, s.partitionCount(topic));
    try {
      s.write(topic, partition, spec.keySerde ?? s.defaultKeySerde, record.key, spec.valueSerde ?? s.defaultValueSerde, record.value, record.timestamp, record.headers);
    } catch (e) {
      // The log's own refusals (a null key for a compacted topic, …) are not serializer errors.
      if (e instanceof TributaryError && !(e instanceof SerializationError)) throw e;
      const reason = e instanceof Error ? e.message : String(e);
      throw new SerializationError(`Sink "${spec.name}" cannot serialize a record for topic "${topic}": ${reason}`, undefined, e);
    }
  }

  private contextFor(node: Node): ProcessorContext<unknown, unknown> {
    const stores = node.spec.kind === 'processor' ? node.spec.stores : [];
    return {
      applicationId: this.settings.applicationId,
      taskId: this.settings.taskId,
      forward: (record, childName) => this.forward(node, record, childName),
      schedule: (intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable => {
        if (!(intervalMs >= 1)) throw new TopologyError(`Node "${node.spec.name}": punctuation interval must be >= 1 ms, got ${intervalMs}`);
        if (type === 'stream-time') return this.streamPunctuators.add(intervalMs, punctuator, this.streamTime);
        return this.wallPunctuators.add(intervalMs, punctuator, this.settings.clock());
      },
      recordMetadata: () => this.metadata,
      currentStreamTimeMs: () => this.streamTime,
      currentSystemTimeMs: () => this.settings.clock(),
      getStateStore: <S extends StateStore>(name: string): S => {
        const store = this.settings.stores.get(name) ?? this.settings.globalStores?.get(name);
        if (store === undefined || !stores.includes(name)) {
          throw new TopologyError(`Processor "${node.spec.name}" is not connected to state store "${name}" (connect it in addStateStore or process(..., stores))`);
        }
        return store as S;
      },
      commit: () => this.settings.requestCommit(),
      recordDropped: (reason: string) => this.settings.onDropped?.(reason),
      keySerde: () => this.settings.defaultKeySerde,
      valueSerde: () => this.settings.defaultValueSerde,
    };
  }
}
