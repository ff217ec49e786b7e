import type { ChangelogWrites } from '../../state/internals/task-stores.js';
import { BatchBuilder, BUFFER_WRITER, type TopicShape } from '../log/batch-builder.js';
import type { ProducerRecord } from '../log/partitioned-log.js';
import { EMPTY_HEADERS } from '../log/record-batch.js';
import type { ProduceTarget } from './record-collector.js';

/**
 * Writes a commit's changelog records and returns each store's checkpoint (the offset after its
 * last record). On a log that takes encoded batches they go as one batch per store, built in
 * place (no record object or metadata per record); elsewhere, or when a changelog topic is not
 * as described, as records.
 */
export class ChangelogWriter {
  private builder: BatchBuilder | undefined;

  /** `shapes`: each changelog topic as described when the task opened its stores. */
  constructor(private readonly shapes: ReadonlyMap<string, TopicShape>) {}

  async write(target: ProduceTarget, writes: readonly ChangelogWrites[]): Promise<Map<string, number>> {
    const checkpoints = new Map<string, number>();
    if (writes.length === 0) return checkpoints;
    if (target.produceEncoded !== undefined && writes.every((w) => this.shapes.has(w.topic))) {
      const builder = (this.builder ??= new BatchBuilder());
      for (const w of writes) {
        const shape = this.shapes.get(w.topic)!;
        for (const op of w.ops) builder.add(w.topic, shape, w.partition, BUFFER_WRITER, op.key, BUFFER_WRITER, op.value, op.timestamp ?? 0, EMPTY_HEADERS);
      }
      const encoded = builder.take()!;
      const bases = await target.produceEncoded(encoded);
      if (bases !== null) {
        // One batch per changelog partition: its first offset plus the records of each store writing there, in order.
        const next = new Map<string, number>();
        for (let b = 0; b < bases.length; b++) next.set(`${encoded.topics[encoded.layout[b * 4]!]}\u0000${encoded.layout[b * 4 + 1]}`, bases[b]!);
        for (const w of writes) {
          const tp = `${w.topic}\u0000${w.partition}`;
          const end = next.get(tp)! + w.ops.length;
          next.set(tp, end);
          checkpoints.set(w.store, end);
        }
        return checkpoints;
      }
      // A changelog topic changed under us (recreated): the records go the plain way below.
    }
    const records: ProducerRecord[] = [];
    for (const { topic, partition, ops } of writes) {
      for (const op of ops) records.push({ topic, partition, key: op.key, value: op.value, timestamp: op.timestamp ?? 0, headers: EMPTY_HEADERS });
    }
    const metadata = await target.produce(records);
    let at = 0;
    for (const w of writes) {
      at += w.ops.length;
      checkpoints.set(w.store, metadata[at - 1]!.offset + 1);
    }
    return checkpoints;
  }
}
