import type { LogTransaction, PartitionedLog } from '../log/partitioned-log.js';
import { RecordCollector, type ProduceTarget } from './record-collector.js';
import type { StreamTask } from './stream-task.js';

/**
 * Sends the outputs of some tasks and, under exactly_once, commits them in one log transaction
 * (Kafka Streams: StreamsProducer). Which tasks share one: at_least_once, all of an instance's
 * (one plain produce per round); exactly_once on a log that `fencesByGroupMembership`, all of a
 * stream thread's (one transaction per commit, as Kafka's exactly_once_v2); exactly_once on
 * other logs (Kafka through kafkajs, which has no KIP-447), each task its own, with the
 * transactional id `<applicationId>-<taskId>` fencing the task's previous owner.
 */
export class StreamsProducer {
  /** What the tasks' sinks write, until it is sent. */
  readonly collector: RecordCollector;
  private transaction: LogTransaction | undefined;
  /** Set once the producer is aborted or released: it never opens a transaction again. */
  private closed = false;

  constructor(
    private readonly log: PartitionedLog,
    /** exactly_once: the transactional id; undefined at at_least_once. */
    readonly transactionalId: string | undefined,
    /** exactly_once, shared by a thread: the group member whose partitions its commits must still own. */
    private readonly memberId?: () => string | undefined,
  ) {
    this.collector = new RecordCollector(log);
  }

  /** Whether the producer was aborted or released. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opens the transaction if none is open. A per-task producer does it when its task starts:
   * that fences the task's previous owner and waits for its last transaction to end.
   */
  async begin(): Promise<LogTransaction> {
    if (this.closed) throw new Error(`StreamsProducer ${this.transactionalId} is closed`);
    if (this.transaction !== undefined) return this.transaction;
    const txn = await this.log.transaction(this.transactionalId!);
    if (this.closed) {
      // Aborted while the transaction was being opened: nothing may stay open behind it.
      await txn.abort().catch(() => undefined);
      throw new Error(`StreamsProducer ${this.transactionalId} is closed`);
    }
    this.transaction = txn;
    return txn;
  }

  /** exactly_once: writes the pending outputs into the open transaction (opening one). */
  async sendInTransaction(): Promise<void> {
    if (this.collector.isEmpty || this.closed) return;
    const txn = await this.begin();
    await this.collector.send(txn as LogTransaction & ProduceTarget);
  }

  /**
   * exactly_once commit of `tasks` (outputs, changelog records and input offsets in one
   * transaction) up to its last step, which it returns: commit the transaction, then apply the
   * stores' writes. The next round's processing may overlap that step; anything that fails
   * before or in it leaves the tasks to be closed dirty. Undefined when there is nothing to commit.
   */
  async sendCommit(tasks: StreamTask[], groupId: string): Promise<(() => Promise<void>) | undefined> {
    // A task closed dirty earlier in the same round (fenced: another instance owns it now) must
    // not open a new transaction: that would fence the real owner and commit input offsets whose
    // outputs were just aborted — lost records. (Found by the two-process scale-out test.)
    const committing = tasks.filter((t) => t.needsCommit && !t.isClosed);
    if (this.closed || (committing.length === 0 && this.transaction === undefined)) return undefined;
    for (const t of committing) t.prepareCommit();
    const txn = (await this.begin()) as LogTransaction & ProduceTarget;
    await this.collector.send(txn);
    const checkpoints = await Promise.all(committing.map((t) => t.writeChangelog(txn)));
    const offsets = committing.flatMap((t) => t.takeOffsets());
    if (offsets.length > 0) await txn.sendOffsets(groupId, offsets, this.memberId?.());
    this.transaction = undefined;
    return async () => {
      try {
        await txn.commit();
      } catch (e) {
        // A commit that failed leaves nothing open behind (EmbeddedLog aborts it itself): a
        // thread's transactional id is its own, so no later owner would abort it by fencing.
        await txn.abort().catch(() => undefined);
        throw e;
      }
      await Promise.all(committing.map((t, i) => t.completeCommit(checkpoints[i]!)));
    };
  }

  /** Drops what was not committed: pending outputs and the open transaction. */
  async abort(): Promise<void> {
    this.closed = true;
    this.collector.clear();
    const txn = this.transaction;
    this.transaction = undefined;
    await txn?.abort().catch(() => undefined);
  }

  /** The producer goes with its tasks: the next owner, here or elsewhere, starts a fresh one (Kafka: a new producer). */
  async release(): Promise<void> {
    this.closed = true;
    if (this.transactionalId !== undefined) await this.log.releaseTransactionalId?.(this.transactionalId);
  }
}
