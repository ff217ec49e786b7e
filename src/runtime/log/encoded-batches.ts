import { InvalidRecordError } from './errors.js';
import type { PartitionLog } from './partition-log.js';
import { partitionOf, type Topic } from './produce-plan.js';
import type { LogRecord, ProducerRecord, RecordMetadata } from './partitioned-log.js';
import { BATCH_HEADER_BYTES, decodeRecords, readBatchHeader } from './record-batch.js';

/**
 * The records of one produce call, encoded by a stream thread as one batch per partition (offsets
 * from 0, not yet stamped; see stampBatch), so that EmbeddedLog appends them without decoding:
 * the thread that owns the log then only stamps and writes them.
 */
export type EncodedBatches = {
  topics: string[];
  /** What the encoder knew of each topic: a topic that changed since gets the records another way. */
  assumed: { partitions: number; compacted: boolean }[];
  /** Per batch, 4 numbers: topic index, partition, byte offset in `bytes`, byte length. */
  layout: Float64Array;
  bytes: Uint8Array;
};

/** One checked batch of an EncodedBatches, ready to append. */
export type EncodedBatch = { partition: PartitionLog; batch: Buffer; lastOffsetDelta: number; maxTimestamp: number };

/**
 * Checks every batch before anything is written (a call with one bad batch writes nothing) and
 * returns them, or null when a topic no longer matches what the encoder assumed (recreated with
 * another partition count or cleanup policy): the caller then sends the records unencoded.
 */
export function checkEncodedBatches(encoded: EncodedBatches, lookup: (topic: string) => Topic): EncodedBatch[] | null {
  const topics = encoded.topics.map(lookup);
  for (let t = 0; t < topics.length; t++) {
    const assumed = encoded.assumed[t]!;
    if (topics[t]!.partitions.length !== assumed.partitions || (topics[t]!.config.cleanupPolicy === 'compact') !== assumed.compacted) return null;
  }
  const bytes = Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength);
  const out: EncodedBatch[] = [];
  for (let i = 0; i + 3 < encoded.layout.length; i += 4) {
    const topic = topics[encoded.layout[i]!];
    if (topic === undefined) throw new InvalidRecordError(`encoded batch ${i / 4} names no topic of its call`);
    const partition = partitionOf(topic, encoded.layout[i + 1]);
    const start = encoded.layout[i + 2]!;
    const length = encoded.layout[i + 3]!;
    const batch = bytes.subarray(start, start + length);
    const header = readBatchHeader(batch, 0);
    if (header === null || header.length !== length || length < BATCH_HEADER_BYTES || header.recordCount < 1 || header.lastOffsetDelta !== header.recordCount - 1) {
      throw new InvalidRecordError(`encoded batch ${i / 4} for ${topic.name}/${partition.partition} is malformed`);
    }
    out.push({ partition, batch, lastOffsetDelta: header.lastOffsetDelta, maxTimestamp: header.maxTimestamp });
  }
  return out;
}

/** A log or transaction that appends encoded batches (EmbeddedLog's). */
export type EncodedProducer = {
  produce(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  produceEncoded(encoded: EncodedBatches): Promise<Float64Array | null>;
};

/**
 * Appends encoded batches; when a topic changed under the encoder (recreated with another
 * partition count or cleanup policy), their records go as plain records instead, partitioned
 * anew by key. Returns whether they went as batches.
 */
export async function produceBatches(target: EncodedProducer, encoded: EncodedBatches): Promise<boolean> {
  if ((await target.produceEncoded(encoded)) !== null) return true;
  // A refused call wrote nothing and left the bytes as they were (EmbeddedLog stamps batches only as it appends them).
  await target.produce(recordsOf(encoded));
  return false;
}

/** The records of encoded batches, as ProducerRecords without partitions. */
function recordsOf(encoded: EncodedBatches): ProducerRecord[] {
  const bytes = Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength);
  const out: LogRecord[] = [];
  for (let b = 0; b + 3 < encoded.layout.length; b += 4) {
    const at = encoded.layout[b + 2]!;
    const header = readBatchHeader(bytes, at);
    if (header === null) throw new InvalidRecordError(`encoded batch ${b / 4} is malformed`);
    decodeRecords(bytes, at, header, encoded.topics[encoded.layout[b]!]!, 0, 0, Number.MAX_SAFE_INTEGER, out);
  }
  return out.map((r) => ({ topic: r.topic, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }));
}
