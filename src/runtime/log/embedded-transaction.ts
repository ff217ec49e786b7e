import { ProducerFencedError, TransactionStateError } from './errors.js';
import type { OffsetCommit } from './coordinator-log.js';
import type { EncodedBatches } from './encoded-batches.js';
import type { PartitionLog } from './partition-log.js';
import type { LogTransaction, ProducerRecord, RecordMetadata, TopicPartitionOffset } from './partitioned-log.js';

/** What a transaction needs from the log that created it. */
export interface TransactionHost {
  /** Throws LogClosedError when the log is closed. */
  ensureOpen(operation: string): void;
  /** True while `epoch` is the newest epoch handed out for `transactionalId`. */
  isCurrent(transactionalId: string, epoch: number): boolean;
  nextTxnSeq(): number;
  /** Validates and appends the records tagged with `txnSeq`, adding touched partitions to `touched`. */
  appendTransactional(records: ProducerRecord[], txnSeq: number, touched: Set<PartitionLog>): RecordMetadata[];
  /** The same for batches a stream thread encoded; null (nothing written) when a topic changed under the encoder. */
  appendEncodedTransactional(encoded: EncodedBatches, txnSeq: number, touched: Set<PartitionLog>): Float64Array | null;
  validateOffsets(offsets: TopicPartitionOffset[]): void;
  /**
   * Commits (offsets given) or aborts (null). A commit first checks that each group member named
   * in `owners` still owns the partitions of its group's offsets, and aborts with
   * CommitFailedError if not.
   */
  finish(txnSeq: number, touched: Set<PartitionLog>, offsets: OffsetCommit[] | null, owners?: ReadonlyMap<string, string>): Promise<void>;
}

type State = 'open' | 'committing' | 'aborting' | 'committed' | 'aborted';

/**
 * One transaction of EmbeddedLog, a small state machine: produce and sendOffsets only while
 * open; commit/abort once. Its records are on disk as they are produced but hidden from
 * read_committed until the commit entry is durable (see coordinator-log.ts).
 */
export class EmbeddedTransaction implements LogTransaction {
  private state: State = 'open';
  private txnSeq = 0;
  private readonly touched = new Set<PartitionLog>();
  private readonly offsets = new Map<string, Map<string, TopicPartitionOffset>>();
  /** Per group, the member whose partitions the offsets must belong to at commit (sendOffsets' memberId). */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly host: TransactionHost,
    readonly transactionalId: string,
    private readonly epoch: number,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.check('produce');
    if (this.txnSeq === 0) this.txnSeq = this.host.nextTxnSeq();
    return this.host.appendTransactional(records, this.txnSeq, this.touched);
  }

  /** `produce` for records a stream thread encoded (see EmbeddedLog.produceEncoded). */
  async produceEncoded(encoded: EncodedBatches): Promise<Float64Array | null> {
    this.check('produce');
    if (this.txnSeq === 0) this.txnSeq = this.host.nextTxnSeq();
    return this.host.appendEncodedTransactional(encoded, this.txnSeq, this.touched);
  }

  async sendOffsets(groupId: string, offsets: TopicPartitionOffset[], memberId?: string): Promise<void> {
    this.check('send offsets in');
    this.host.validateOffsets(offsets);
    if (memberId !== undefined) this.owners.set(groupId, memberId);
    let group = this.offsets.get(groupId);
    if (group === undefined) this.offsets.set(groupId, (group = new Map()));
    for (const o of offsets) group.set(`${o.topic}\u0000${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset });
  }

  async commit(): Promise<void> {
    this.check('commit');
    this.state = 'committing';
    const offsets: OffsetCommit[] = [...this.offsets].map(([groupId, m]) => ({ groupId, offsets: [...m.values()] }));
    if (this.txnSeq === 0 && offsets.length > 0) this.txnSeq = this.host.nextTxnSeq();
    try {
      if (this.txnSeq > 0) await this.host.finish(this.txnSeq, this.touched, offsets, this.owners);
      this.state = 'committed';
    } catch (e) {
      await this.abortAfterFailure();
      throw e;
    }
  }

  async abort(): Promise<void> {
    this.check('abort');
    await this.abortAfterFailure();
  }

  /** Aborts without the fencing check: used by the log when a newer epoch takes over. */
  async abortAfterFailure(): Promise<void> {
    this.state = 'aborting';
    if (this.txnSeq > 0) await this.host.finish(this.txnSeq, this.touched, null);
    this.state = 'aborted';
  }

  private check(operation: string): void {
    this.host.ensureOpen(`${operation} a transaction`);
    if (!this.host.isCurrent(this.transactionalId, this.epoch)) throw new ProducerFencedError(this.transactionalId);
    if (this.state !== 'open') throw new TransactionStateError(this.transactionalId, operation, this.state);
  }
}
