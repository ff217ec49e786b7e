import { InvalidConfigError, InvalidRecordError, UnknownPartitionError } from './errors.js';
import { partitionForKey } from './murmur2.js';
import { checkCommitOffset } from './request-checks.js';
import type { StickyPartitioner } from './sticky-partitioner.js';
import type { PartitionLog } from './partition-log.js';
import type { ProducerRecord, TopicPartitionOffset } from './partitioned-log.js';
import { recordSize } from './record-batch.js';
import type { ResolvedTopicConfig } from './topic-config.js';

/** An open topic of EmbeddedLog. */
export type Topic = {
  name: string;
  config: ResolvedTopicConfig;
  partitions: PartitionLog[];
};

/** The records of one produce call that go to one partition, with their places in the call. */
export type PartitionGroup = { partition: PartitionLog; records: ProducerRecord[]; indices: number[]; byteSize: number };

export function partitionOf(topic: Topic, partition: unknown): PartitionLog {
  const p = typeof partition === 'number' && Number.isInteger(partition) ? topic.partitions[partition] : undefined;
  if (p === undefined) throw new UnknownPartitionError(topic.name, partition as number, topic.partitions.length);
  return p;
}

/**
 * Validates every record of a produce call and groups them by partition, before anything is
 * written: a call with one bad record writes nothing. Partition choice is Kafka's: an explicit
 * partition, else murmur2 of the key, else one partition per call for null keys (sticky).
 */
export function planProduce(records: ProducerRecord[], lookup: (topic: string) => Topic, sticky: StickyPartitioner): PartitionGroup[] {
  if (!Array.isArray(records)) throw new InvalidRecordError('produce expects an array of records');
  const groups: PartitionGroup[] = [];
  // Per topic, the group of each partition number (an array beats a Map keyed by object here).
  const slotsByTopic = new Map<Topic, (PartitionGroup | undefined)[]>();
  const nullKeyPartition = sticky.forCall();
  let topic: Topic | undefined;
  let slots: (PartitionGroup | undefined)[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (topic === undefined || topic.name !== r.topic) {
      topic = lookup(r.topic);
      let found = slotsByTopic.get(topic);
      if (found === undefined) slotsByTopic.set(topic, (found = []));
      slots = found;
    }
    checkRecordFields(r, i, topic.name);
    const p = choosePartition(r, i, topic.name, topic.partitions.length, topic.config.cleanupPolicy === 'compact', nullKeyPartition);
    let group = slots[p];
    if (group === undefined) {
      group = { partition: topic.partitions[p]!, records: [], indices: [], byteSize: 0 };
      slots[p] = group;
      groups.push(group);
    }
    group.records.push(r);
    group.indices.push(i);
    group.byteSize += recordSize(r);
  }
  return groups;
}

/**
 * The partition of record `i` of a produce call, as Kafka chooses it: the record's own (checked),
 * else murmur2 of the key, else the call's sticky partition for null keys. A null key on a
 * compacted topic is refused. Stream threads choose with it too when they encode their batches.
 */
export function choosePartition(r: ProducerRecord, i: number, topic: string, partitions: number, compacted: boolean, nullKeyPartition: (topic: string, partitions: number) => number): number {
  if (r.key === null && compacted) throw new InvalidRecordError(`${recordAt(i, topic)}: a compacted topic needs a key on every record`);
  if (r.partition !== undefined) {
    if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= partitions) throw new UnknownPartitionError(topic, r.partition, partitions);
    return r.partition;
  }
  return r.key !== null ? partitionForKey(r.key, partitions) : nullKeyPartition(topic, partitions);
}

function recordAt(index: number, topic: string): string {
  return `record ${index} for topic "${topic}"`;
}

/**
 * Field checks every backend makes before writing anything: Buffers, timestamp, headers.
 * `index` and `topic` only name the record in an error (built then: this runs per record).
 */
export function checkRecordFields(r: ProducerRecord, index: number, topic: string): void {
  if (r.key !== null && !Buffer.isBuffer(r.key)) throw new InvalidRecordError(`${recordAt(index, topic)}: key must be a Buffer or null`);
  if (r.value !== null && !Buffer.isBuffer(r.value)) throw new InvalidRecordError(`${recordAt(index, topic)}: value must be a Buffer or null`);
  if (r.timestamp !== undefined && (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp) || r.timestamp < 0)) {
    throw new InvalidRecordError(`${recordAt(index, topic)}: timestamp must be a finite number >= 0, got ${String(r.timestamp)}`);
  }
  if (r.headers !== undefined) {
    for (const name in r.headers) {
      if (!Buffer.isBuffer(r.headers[name])) throw new InvalidRecordError(`${recordAt(index, topic)}: header "${name}" must be a Buffer`);
    }
  }
}

export function validateOffsets(offsets: TopicPartitionOffset[], lookup: (topic: string) => Topic): void {
  if (!Array.isArray(offsets)) throw new InvalidConfigError('offsets', 'expected an array');
  for (const o of offsets) {
    partitionOf(lookup(o.topic), o.partition);
    checkCommitOffset(o);
  }
}
