import { TaskExecutor, type PreparedRecord, type TaskSettings } from '../../processor/internals/task-executor.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { SerializationError } from '../../serdes/serialization-error.js';
import { OffsetOutOfRangeError } from '../log/errors.js';
import type { LogRecord, LogTransaction, PartitionedLog, ProducerRecord, TopicPartition, TopicPartitionOffset } from '../log/partitioned-log.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { StreamsMetrics } from './streams-metrics.js';

/** One input partition of a task: fetched records not yet processed, and how far it got. */
type InputQueue = {
  topic: string;
  partition: number;
  records: LogRecord[];
  next: number;
  /** Next offset to fetch. */
  fetchOffset: number;
  /** Offset after the last processed record: what a commit stores. */
  consumed: number;
  /** The last fetch returned nothing: the partition is caught up for now. */
  caughtUp: boolean;
  /** records[next], deserialized, once it has been looked at. */
  head: PreparedRecord | undefined;
};

const ERROR_HEADER = 'tributary.error';

/**
 * A task: one sub-topology on one partition number. It owns its input queues, its processors
 * (through a TaskExecutor) and, under exactly_once, its open log transaction
 * (`<applicationId>-<taskId>`). Records are taken from its partitions in timestamp order.
 */
export class StreamTask {
  private readonly executor: TaskExecutor;
  private readonly queues: InputQueue[];
  private outputs: ProducerRecord[] = [];
  private transaction: LogTransaction | undefined;
  private uncommitted = false;
  commitRequested = false;

  constructor(
    readonly id: string,
    readonly subtopology: Subtopology,
    partitions: TopicPartition[],
    settings: Omit<TaskSettings, 'emit' | 'requestCommit' | 'taskId' | 'partition'>,
    private readonly config: ResolvedStreamsConfig,
    private readonly metrics: StreamsMetrics,
  ) {
    this.executor = new TaskExecutor(subtopology, {
      ...settings,
      taskId: id,
      partition: partitions[0]!.partition,
      emit: (topic, partition, key, value, timestamp, headers) => {
        this.outputs.push(partition === undefined ? { topic, key, value, timestamp, headers } : { topic, partition, key, value, timestamp, headers });
      },
      requestCommit: () => void (this.commitRequested = true),
    });
    this.queues = partitions.map((tp) => ({ ...tp, records: [], next: 0, fetchOffset: 0, consumed: 0, caughtUp: false, head: undefined }));
  }

  private get log(): PartitionedLog {
    return this.config.log;
  }

  /** Starts each input partition at the group's committed offset (or the start of the log). */
  async initialize(): Promise<void> {
    // Under exactly_once, take over the transactional id first: that fences the previous owner
    // and waits for its last transaction to complete, so the offsets read next are final
    // (without it, a just-committed offset of the old owner may not be visible yet).
    if (this.config.processingGuarantee === 'exactly_once') await this.openTransaction();
    const byTopic = new Map<string, TopicPartitionOffset[]>();
    for (const q of this.queues) {
      if (!byTopic.has(q.topic)) byTopic.set(q.topic, await this.log.committedOffsets(this.config.applicationId, q.topic));
      const committed = byTopic.get(q.topic)!.find((o) => o.partition === q.partition);
      q.fetchOffset = q.consumed = committed?.offset ?? (await this.startOffset(q));
    }
    this.executor.init();
  }

  private async startOffset(q: InputQueue): Promise<number> {
    return (await this.log.describeTopic(q.topic)).partitions[q.partition]!.startOffset;
  }

  /** Fetches for every input partition whose buffer is empty; one await for all of them. */
  fetch(): Promise<void>[] {
    const isolation = this.config.processingGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted';
    return this.queues
      .filter((q) => q.next >= q.records.length)
      .map(async (q) => {
        let records: LogRecord[];
        try {
          records = await this.log.fetch({ topic: q.topic, partition: q.partition, offset: q.fetchOffset, maxRecords: this.config.maxPollRecords, isolation });
        } catch (e) {
          if (!(e instanceof OffsetOutOfRangeError) || q.fetchOffset >= e.startOffset) throw e;
          // Retention removed what we had not read yet: start again at the oldest record (auto.offset.reset=earliest).
          q.fetchOffset = e.startOffset;
          records = [];
        }
        q.records = records;
        q.next = 0;
        q.caughtUp = records.length === 0;
        if (records.length > 0) q.fetchOffset = records[records.length - 1]!.offset + 1;
        else if (q.consumed < q.fetchOffset) q.consumed = q.fetchOffset;
      });
  }

  /**
   * Processes up to `budget` buffered records, always the one with the smallest (extracted)
   * timestamp among the partitions' next records. Stops when a partition that may have more data
   * runs dry, so order is kept across refills. Synchronous: no await per record.
   */
  process(budget: number): number {
    let done = 0;
    const queues = this.queues;
    while (done < budget) {
      let best: InputQueue | undefined;
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i]!;
        const head = this.headOf(q);
        if (head === undefined) {
          if (!q.caughtUp) return done;
          continue;
        }
        if (best === undefined || head.record.timestamp < best.head!.record.timestamp) best = q;
      }
      if (best === undefined) return done;
      const prepared = best.head!;
      best.head = undefined;
      best.next++;
      best.consumed = prepared.metadata.offset + 1;
      this.executor.processPrepared(prepared);
      this.metrics.processedRecords++;
      this.uncommitted = true;
      done++;
    }
    return done;
  }

  /** The queue's next record, deserialized; records the handler skips are consumed here. */
  private headOf(q: InputQueue): PreparedRecord | undefined {
    while (q.head === undefined && q.next < q.records.length) {
      const r = q.records[q.next]!;
      try {
        q.head = this.executor.prepare(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp, r.headers);
      } catch (e) {
        this.handleDeserializationError(e, r);
        q.next++;
        q.consumed = r.offset + 1;
        this.uncommitted = true;
      }
    }
    return q.head;
  }

  private handleDeserializationError(e: unknown, r: LogRecord): void {
    if (!(e instanceof SerializationError) || e.location === undefined) throw e;
    const handler = this.config.deserializationExceptionHandler;
    if (handler === 'fail') throw e;
    this.metrics.skippedRecords++;
    if (handler === 'continue') {
      console.warn(`tributary: skipping a record that does not deserialize: ${e.message}`);
      return;
    }
    const headers: Record<string, Buffer> = {
      ...r.headers,
      [`${ERROR_HEADER}.message`]: Buffer.from(e.message),
      [`${ERROR_HEADER}.topic`]: Buffer.from(r.topic),
      [`${ERROR_HEADER}.partition`]: Buffer.from(String(r.partition)),
      [`${ERROR_HEADER}.offset`]: Buffer.from(String(r.offset)),
    };
    this.outputs.push({ topic: handler.deadLetterTopic, key: r.key, value: r.value, timestamp: r.timestamp, headers });
  }

  punctuateWallClock(now: number): void {
    if (this.executor.punctuateWallClock(now) > 0) this.uncommitted = true;
  }

  /** Output records written since the last call (at_least_once sends them in one produce). */
  takeOutputs(): ProducerRecord[] {
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  /** Under exactly_once: writes pending outputs into this task's open transaction. */
  async sendOutputsInTransaction(): Promise<void> {
    if (this.outputs.length === 0) return;
    const txn = await this.openTransaction();
    await txn.produce(this.takeOutputs());
  }

  private async openTransaction(): Promise<LogTransaction> {
    this.transaction ??= await this.log.transaction(`${this.config.applicationId}-${this.id}`);
    return this.transaction;
  }

  private offsets(): TopicPartitionOffset[] {
    return this.queues.map((q) => ({ topic: q.topic, partition: q.partition, offset: q.consumed }));
  }

  /** at_least_once commit: outputs must already be produced. */
  async commitOffsets(): Promise<void> {
    if (!this.uncommitted) return;
    await this.log.commitOffsets(this.config.applicationId, this.offsets());
    this.uncommitted = false;
    this.commitRequested = false;
  }

  /** exactly_once commit: outputs and input offsets in one transaction. */
  async commitTransaction(): Promise<void> {
    if (!this.uncommitted && this.transaction === undefined) return;
    await this.sendOutputsInTransaction();
    const txn = await this.openTransaction();
    await txn.sendOffsets(this.config.applicationId, this.offsets());
    this.transaction = undefined;
    await txn.commit();
    this.uncommitted = false;
    this.commitRequested = false;
  }

  /** Drops everything not committed (aborts the open transaction); used on errors. */
  async closeDirty(): Promise<void> {
    this.outputs = [];
    const txn = this.transaction;
    this.transaction = undefined;
    await txn?.abort().catch(() => undefined);
    this.executor.close();
  }

  close(): void {
    this.executor.close();
  }
}
