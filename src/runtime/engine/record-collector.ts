import type { Headers } from '../../processor/stream-record.js';
import type { Serde } from '../../serdes/serde.js';
import { BatchBuilder, BUFFER_WRITER, type BytesWriter, type TopicShape } from '../log/batch-builder.js';
import { produceBatches, type EncodedBatches, type EncodedProducer } from '../log/encoded-batches.js';
import { UnknownTopicError } from '../log/errors.js';
import type { PartitionedLog, ProducerRecord, RecordMetadata } from '../log/partitioned-log.js';

/**
 * A log or one of its transactions. EmbeddedLog's take encoded batches (produceEncoded); a
 * worker's RemoteLog in front of one sends them over whole (produceBatches).
 */
export type ProduceTarget = {
  produce(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  produceEncoded?(encoded: EncodedBatches): Promise<Float64Array | null>;
  produceBatches?(encoded: EncodedBatches): Promise<boolean>;
};

/**
 * Collects what sinks write until it is sent (Kafka Streams: RecordCollector). On a log that
 * takes encoded batches, records are serialized straight into them (BatchBuilder): no Buffer
 * and no record object per record. Elsewhere (Kafka), and for a topic whose partition count is
 * not known yet, they are kept as ProducerRecords.
 */
export class RecordCollector {
  private records: ProducerRecord[] = [];
  private readonly builder: BatchBuilder | undefined;
  private readonly shapes = new Map<string, TopicShape>();
  /** Topics written as plain records because their shape was not known: asked for after the next send. */
  private readonly unknown = new Set<string>();
  /**
   * Shapes learnt (or found stale: undefined) while a send was on its way, applied when the next
   * send takes the records: a topic's records of one call must all go one way, or a partition
   * could get them out of order.
   */
  private readonly changes = new Map<string, TopicShape | undefined>();

  constructor(private readonly log: PartitionedLog) {
    const target = log as ProduceTarget;
    if (target.produceEncoded !== undefined || target.produceBatches !== undefined) this.builder = new BatchBuilder();
  }

  /** Whether nothing is waiting to be sent. */
  get isEmpty(): boolean {
    return this.records.length === 0 && (this.builder?.size ?? 0) === 0;
  }

  /** Writes a sink's record (see WriteRecord); serializer errors are thrown as they are. */
  readonly write = (topic: string, partition: number | undefined, keySerde: Serde<unknown>, key: unknown, valueSerde: Serde<unknown>, value: unknown, timestamp: number, headers: Headers): void => {
    const shape = this.shapeOf(topic);
    if (shape !== undefined) {
      this.builder!.add(topic, shape, partition, writerOf(keySerde), key, writerOf(valueSerde), value, timestamp, headers);
      return;
    }
    const k = key === null || key === undefined ? null : keySerde.serialize(topic, key);
    const v = value === null || value === undefined ? null : valueSerde.serialize(topic, value);
    this.records.push(partition === undefined ? { topic, key: k, value: v, timestamp, headers } : { topic, partition, key: k, value: v, timestamp, headers });
  };

  /** Adds a record already in bytes (a dead letter). */
  push(record: ProducerRecord & { timestamp: number }): void {
    const shape = this.shapeOf(record.topic);
    if (shape === undefined) this.records.push(record);
    else this.builder!.add(record.topic, shape, record.partition, BUFFER_WRITER, record.key, BUFFER_WRITER, record.value, record.timestamp, record.headers ?? {});
  }

  /**
   * Sends everything collected to `target` (the log, or a transaction of it) and starts afresh:
   * the encoded batches, then the plain records (their topics differ: a topic's shape is known
   * for a whole call or not at all, so no partition gets records out of order).
   */
  async send(target: ProduceTarget): Promise<void> {
    const encoded = this.builder?.take();
    const records = this.records;
    this.records = [];
    for (const [topic, shape] of this.changes) {
      if (shape === undefined) this.shapes.delete(topic);
      else this.shapes.set(topic, shape);
    }
    this.changes.clear();
    if (encoded !== undefined) {
      let asBatches: boolean;
      if (target.produceBatches !== undefined) asBatches = await target.produceBatches(encoded);
      else if (target.produceEncoded !== undefined) asBatches = await produceBatches(target as EncodedProducer, encoded);
      else throw new Error('RecordCollector: encoded records for a target that cannot take them');
      // A topic changed since its shape was learnt (recreated): its records went plain; learn it again.
      if (!asBatches) for (const topic of encoded.topics) this.changes.set(topic, undefined);
    }
    if (records.length > 0) await target.produce(records);
    if (this.unknown.size > 0) await this.learnShapes();
  }

  /** Drops what was collected and not sent. */
  clear(): void {
    this.records = [];
    this.builder?.clear();
  }

  private shapeOf(topic: string): TopicShape | undefined {
    if (this.builder === undefined) return undefined;
    const shape = this.shapes.get(topic);
    if (shape === undefined) this.unknown.add(topic);
    return shape;
  }

  private async learnShapes(): Promise<void> {
    const topics = [...this.unknown];
    this.unknown.clear();
    for (const topic of topics) {
      try {
        const d = await this.log.describeTopic(topic);
        this.changes.set(topic, { partitions: d.partitions.length, compacted: d.config.cleanupPolicy === 'compact' });
      } catch (e) {
        // The produce of its records reports it, the usual way.
        if (!(e instanceof UnknownTopicError)) throw e;
      }
    }
  }
}

const writers = new WeakMap<Serde<unknown>, BytesWriter>();

/** A serde as a BytesWriter: itself when it has serializeInto, else serialize and copy. */
function writerOf(serde: Serde<unknown>): BytesWriter {
  if (serde.serializeInto !== undefined) return serde as BytesWriter;
  let writer = writers.get(serde);
  if (writer === undefined) {
    // The bytes of the last value are kept: when they did not fit, the builder asks again with more room.
    let last: unknown;
    let lastBytes: Buffer | undefined;
    writer = {
      serializeInto: (topic, data, target, offset) => {
        if (lastBytes === undefined || data !== last) {
          lastBytes = serde.serialize(topic, data);
          last = data;
        }
        if (target.length - offset < lastBytes.length) return -1;
        const n = lastBytes.copy(target, offset);
        lastBytes = undefined;
        return n;
      },
    };
    writers.set(serde, writer);
  }
  return writer;
}
