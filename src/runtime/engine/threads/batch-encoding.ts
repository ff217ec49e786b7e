import type { TopicShape } from '../../log/batch-builder.js';
import type { EncodedBatches } from '../../log/encoded-batches.js';
import type { ProducerRecord } from '../../log/partitioned-log.js';
import { checkRecordFields, choosePartition } from '../../log/produce-plan.js';
import { BATCH_HEADER_BYTES, encodeBatchInto, recordSize } from '../../log/record-batch.js';
import type { StickyPartitioner } from '../../log/sticky-partitioner.js';


/** The batches of one call, and where each record went: record `indices[b][j]` is record j of batch b. */
export type EncodedCall = { encoded: EncodedBatches; indices: number[][] };

type Group = { topicIndex: number; partition: number; records: ProducerRecord[]; indices: number[]; byteSize: number };

/**
 * Encodes a produce call's records as EmbeddedLog would write them, one batch per partition,
 * choosing partitions as EmbeddedLog does (choosePartition), with the same errors for records it
 * refuses. Returns undefined when the call is better left to the log itself: a topic whose shape
 * is not known, or a record without a timestamp (the log stamps its own clock's time).
 */
export function encodeBatches(records: readonly ProducerRecord[], shapeOf: (topic: string) => TopicShape | undefined, sticky: StickyPartitioner): EncodedCall | undefined {
  const topics: string[] = [];
  const assumed: TopicShape[] = [];
  const byTopic = new Map<string, { index: number; shape: TopicShape; slots: (Group | undefined)[] }>();
  const groups: Group[] = [];
  const nullKeyPartition = sticky.forCall();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    checkRecordFields(r, i, r.topic);
    if (r.timestamp === undefined) return undefined;
    let topic = byTopic.get(r.topic);
    if (topic === undefined) {
      const shape = shapeOf(r.topic);
      if (shape === undefined) return undefined;
      topic = { index: topics.length, shape, slots: [] };
      byTopic.set(r.topic, topic);
      topics.push(r.topic);
      assumed.push(shape);
    }
    const { shape, slots } = topic;
    const p = choosePartition(r, i, r.topic, shape.partitions, shape.compacted, nullKeyPartition);
    let group = slots[p];
    if (group === undefined) {
      group = { topicIndex: topic.index, partition: p, records: [], indices: [], byteSize: 0 };
      slots[p] = group;
      groups.push(group);
    }
    group.records.push(r);
    group.indices.push(i);
    group.byteSize += recordSize(r);
  }
  let total = 0;
  for (const g of groups) total += BATCH_HEADER_BYTES + g.byteSize;
  // Not from Buffer's shared pool: the whole ArrayBuffer moves to the thread that owns the log.
  const bytes = Buffer.allocUnsafeSlow(total);
  const layout = new Float64Array(groups.length * 4);
  let at = 0;
  for (let b = 0; b < groups.length; b++) {
    const g = groups[b]!;
    const length = BATCH_HEADER_BYTES + g.byteSize;
    encodeBatchInto(bytes.subarray(at, at + length), g.records, null, 0, 0, 0);
    layout[b * 4] = g.topicIndex;
    layout[b * 4 + 1] = g.partition;
    layout[b * 4 + 2] = at;
    layout[b * 4 + 3] = length;
    at += length;
  }
  return { encoded: { topics, assumed, layout, bytes }, indices: groups.map((g) => g.indices) };
}
