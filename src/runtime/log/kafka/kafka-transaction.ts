import { ProducerFencedError, TransactionStateError } from '../errors.js';
import type { LogTransaction, ProducerRecord, RecordMetadata, TopicPartitionOffset } from '../partitioned-log.js';
import type { ClientTransaction, PartitionBatch } from './kafka-client.js';
import { mapKafkaError } from './kafka-errors.js';

/** What a KafkaTransaction needs from its KafkaLog. */
export interface KafkaTransactionHost {
  ensureOpen(operation: string): void;
  isCurrent(transactionalId: string, epoch: number): boolean;
  plan(records: ProducerRecord[]): Promise<{ batches: PartitionBatch[]; place: (baseOffsets: number[]) => RecordMetadata[] }>;
  validateOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  finished(transactionalId: string, epoch: number): void;
  /** The broker fenced this producer: it can never write again, the next transaction needs a new one. */
  producerFenced(transactionalId: string, epoch: number): void;
  /** Resolves once read_committed readers see each partition's last record of the transaction. */
  awaitMarkers(firstOffsets: ReadonlyMap<string, { topic: string; partition: number; offset: number }>): Promise<void>;
}

type State = 'open' | 'committing' | 'aborting' | 'committed' | 'aborted';

/**
 * One Kafka transaction, with the same state machine as EmbeddedLog's: produce and sendOffsets
 * while open, then commit or abort once. Calls are serialized, as kafkajs requires per producer.
 */
export class KafkaTransaction implements LogTransaction {
  private state: State = 'open';
  /** Per partition, the first offset this transaction wrote there. */
  private readonly firstOffsets = new Map<string, { topic: string; partition: number; offset: number }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: KafkaTransactionHost,
    readonly transactionalId: string,
    private readonly epoch: number,
    private readonly txn: ClientTransaction,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  private serial<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.check(operation);
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run.catch((e: unknown) => {
      const mapped = e instanceof ProducerFencedError ? e : mapKafkaError(e, { transactionalId: this.transactionalId });
      if (mapped instanceof ProducerFencedError) this.host.producerFenced(this.transactionalId, this.epoch);
      throw mapped;
    });
  }

  produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return this.serial('produce', async () => {
      const { batches, place } = await this.host.plan(records);
      const metadata = place(batches.length === 0 ? [] : await this.txn.produce(batches));
      for (const m of metadata) {
        const id = `${m.topic}\u0000${m.partition}`;
        if (!this.firstOffsets.has(id)) this.firstOffsets.set(id, m);
      }
      return metadata;
    });
  }

  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return this.serial('send offsets in', async () => {
      await this.host.validateOffsets(offsets);
      if (offsets.length > 0) await retryConcurrent(() => this.txn.sendOffsets(groupId, offsets));
    });
  }

  commit(): Promise<void> {
    return this.serial('commit', async () => {
      this.state = 'committing';
      try {
        // Sent once: after a failed EndTxn kafkajs refuses a second commit on this transaction
        // ("Cannot continue to use transaction once ended"). A retriable failure (such as
        // CONCURRENT_TRANSACTIONS) makes the engine start the tasks over with new producers.
        await this.txn.commit();
        this.state = 'committed';
        // Kafka writes the commit markers after EndTxn answers; wait for them so that, as on
        // EmbeddedLog, a read_committed reader sees the records once commit() resolves.
        await this.host.awaitMarkers(this.firstOffsets);
      } catch (e) {
        await this.txn.abort().catch(() => undefined);
        this.state = 'aborted';
        throw e;
      } finally {
        this.host.finished(this.transactionalId, this.epoch);
      }
    });
  }

  abort(): Promise<void> {
    return this.serial('abort', () => this.abortNow());
  }

  /** Aborts without the fencing check (the log closing, or a newer epoch taking over). */
  async abortNow(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborting';
    try {
      await this.txn.abort();
      // As for commit: the ABORT markers land after EndTxn answers, and until they do this
      // transaction still hides later records of its partitions from read_committed readers.
      await this.host.awaitMarkers(this.firstOffsets);
    } finally {
      this.state = 'aborted';
      this.host.finished(this.transactionalId, this.epoch);
    }
  }

  private check(operation: string): void {
    this.host.ensureOpen(`${operation} a transaction`);
    if (!this.host.isCurrent(this.transactionalId, this.epoch)) throw new ProducerFencedError(this.transactionalId);
    if (this.state !== 'open') throw new TransactionStateError(this.transactionalId, operation, this.state);
  }
}

const CONCURRENT_RETRY_MS = 10_000;

/**
 * Kafka answers CONCURRENT_TRANSACTIONS while the coordinator is still finishing an earlier step
 * of this transactional id (e.g. the previous owner's abort after a fence); the request may be
 * sent again. kafkajs does not retry it for AddOffsetsToTxn, so it is retried here with backoff.
 * (Not EndTxn: kafkajs cannot send it twice. Not produce: a resent batch could be written twice.)
 */
async function retryConcurrent<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + CONCURRENT_RETRY_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await work();
    } catch (e) {
      if ((e as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
