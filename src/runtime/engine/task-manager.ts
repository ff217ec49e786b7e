import { randomUUID } from 'node:crypto';
import { TributaryError } from '../../errors/tributary-error.js';
import { TopologyError } from '../../processor/topology-error.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { CommitFailedError, ProducerFencedError } from '../log/errors.js';
import type { TopicPartition } from '../log/partitioned-log.js';
import type { Topology } from '../../processor/topology.js';
import type { StateStore } from '../../state/state-store.js';
import { changelogTopicName } from './internal-topics.js';
import { StreamsProducer } from './streams-producer.js';
import { StreamTask, type TaskStoreSettings } from './stream-task.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { StreamsMetrics } from './streams-metrics.js';

/**
 * A step in flight for some tasks: at_least_once, one task's commit; exactly_once, a producer's
 * send into its transaction or its commit's last step (for every task that shares it).
 */
type TaskStep = { tasks: StreamTask[]; done: Promise<void> };

/** Another owner took the tasks over (Kafka Streams' TaskMigratedException): drop them quietly. */
const migrated = (e: unknown) => e instanceof ProducerFencedError || e instanceof CommitFailedError;

/**
 * Owns the tasks of one StreamsApp: makes them from a partition assignment, runs one poll →
 * process → produce → commit round over all of them, and commits and closes them on revocation.
 * A round awaits a few times per batch (fetch, produce, commit), never per record.
 */
export class TaskManager {
  readonly tasks = new Map<string, StreamTask>();
  private readonly topicToSubtopology = new Map<string, Subtopology>();
  private lastCommit: number;
  private migratedAt: number | undefined;
  /**
   * The last round's outputs on their way (at_least_once): a round's send overlaps the next
   * round's fetch and processing, as a Kafka producer's sends do. One at most; commits wait for it.
   */
  private sending: Promise<unknown> | undefined;
  /**
   * exactly_once: the last round's sends into the producers' transactions, which the next round's
   * processing overlaps as at_least_once's `sending` does (a worker thread's send waits for the
   * main thread's answer). Awaited before the next sends, before a commit, and before tasks close.
   */
  private sendingInTransactions: TaskStep[] = [];
  /** at_least_once: the outputs of every task, sent in one produce per round. */
  private readonly producer: StreamsProducer;
  /** exactly_once on a log that fences by group membership: the transaction producer every task of this thread shares. */
  private threadProducer: StreamsProducer | undefined;
  /**
   * The last commit's final step per task, which the next rounds' fetch and processing overlap:
   * exactly_once, its transaction committing; at_least_once, its input offsets (its outputs and
   * changelog records are already written); then its stores applying their writes. Awaited before
   * a task sends into a new transaction, before the next commit, and before tasks are closed.
   */
  private committing: TaskStep[] = [];
  /** Full rounds in a row whose outputs were held back (see holdsOutputs). */
  private heldRounds = 0;
  /** Whether every step in `committing` has ended (until then, exactly_once rounds keep outputs in the collectors). */
  private committingEnded = true;

  constructor(
    subtopologies: Subtopology[],
    private readonly config: ResolvedStreamsConfig,
    private readonly metrics: StreamsMetrics,
    private readonly resolveTopic: (name: string) => string,
    private readonly partitionCounts: ReadonlyMap<string, number>,
    private readonly topology: Topology,
    private readonly globalStores: ReadonlyMap<string, StateStore> = new Map(),
    /** At most this many records per round, shared out among the tasks (unbounded when undefined). */
    private readonly recordsPerRound?: number,
    /** The group member this manager's tasks belong to (known once the first join is over). */
    private readonly memberId: () => string | undefined = () => undefined,
  ) {
    for (const sub of subtopologies) {
      for (const topic of this.sourceTopicsOf(sub)) {
        if (this.topicToSubtopology.has(topic)) throw new TopologyError(`Topic "${topic}" is read by two sources; read it once and branch instead`);
        this.topicToSubtopology.set(topic, sub);
      }
    }
    this.lastCommit = config.clock();
    this.producer = new StreamsProducer(config.log, undefined);
  }

  /** Real topic names a sub-topology reads (RegExp sources matched against existing topics). */
  sourceTopicsOf(sub: Subtopology): string[] {
    const named = sub.sourceTopics.map(this.resolveTopic);
    const matched = [...this.partitionCounts.keys()].filter((t) => sub.sourcePatterns.some((p) => p.test(t)) && !named.includes(t));
    return [...named, ...matched];
  }

  get allSourceTopics(): string[] {
    return [...this.topicToSubtopology.keys()];
  }

  /** Creates the tasks for newly assigned partitions: partition p of a sub-topology's topics is task `<sub>_<p>`. */
  async assign(partitions: TopicPartition[]): Promise<void> {
    const grouped = new Map<string, { sub: Subtopology; partitions: TopicPartition[] }>();
    for (const tp of partitions) {
      const sub = this.topicToSubtopology.get(tp.topic);
      if (sub === undefined) continue;
      const id = `${sub.id}_${tp.partition}`;
      const entry = grouped.get(id) ?? { sub, partitions: [] };
      entry.partitions.push(tp);
      grouped.set(id, entry);
    }
    // Tasks open their stores and restore them side by side (LevelDB opens and changelog reads
    // overlap); if one fails, the others are closed and the first error is reported.
    const created = [...grouped]
      .filter(([id]) => !this.tasks.has(id))
      .map(([id, { sub, partitions: tps }]) => new StreamTask(id, sub, tps, this.taskSettings(), this.storeSettings(sub), this.config, this.metrics, this.producerFor(id)));
    const results = await Promise.allSettled(created.map((t) => this.initialize(t)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      // Only the new tasks go: they have sent nothing yet, so a transaction they share with this
      // thread's other tasks stays as it is (an own producer is aborted and released).
      await Promise.all(created.map(async (t) => {
        if (this.ownsProducer(t)) await t.producer.abort();
        await t.closeDirty().catch(() => undefined);
        if (this.ownsProducer(t)) await t.producer.release().catch(() => undefined);
      }));
      throw failure.reason;
    }
    for (const task of created) this.tasks.set(task.id, task);
  }

  private async initialize(task: StreamTask): Promise<void> {
    // A task's own transactional id is taken over first: that fences the previous owner and waits
    // for its last transaction to complete, so the offsets read next are final (without it, a
    // just-committed offset of the old owner may not be visible yet). A thread's shared producer
    // needs no such step: its tasks come to it only once their previous owner has committed.
    if (this.ownsProducer(task)) await task.producer.begin();
    await task.initialize();
  }

  /** Whether the task's producer is its own (exactly_once on a log that fences only by transactional id). */
  private ownsProducer(task: StreamTask): boolean {
    return task.producer !== this.producer && task.producer !== this.threadProducer;
  }

  /** The producer for a new task (see StreamsProducer for who shares one). */
  private producerFor(taskId: string): StreamsProducer {
    const { log, applicationId } = this.config;
    if (this.config.processingGuarantee !== 'exactly_once') return this.producer;
    if (log.fencesByGroupMembership !== true) return new StreamsProducer(log, `${applicationId}-${taskId}`);
    if (this.threadProducer === undefined || this.threadProducer.isClosed) {
      this.threadProducer = new StreamsProducer(log, `${applicationId}-${randomUUID()}`, this.memberId);
    }
    return this.threadProducer;
  }

  private taskSettings() {
    const counts = this.partitionCounts;
    return {
      applicationId: this.config.applicationId,
      defaultKeySerde: this.config.defaultKeySerde,
      defaultValueSerde: this.config.defaultValueSerde,
      resolveTopic: this.resolveTopic,
      matchPattern: (pattern: RegExp) => [...counts.keys()].filter((t) => pattern.test(t)),
      partitionCount: (topic: string) => {
        const n = counts.get(topic);
        if (n === undefined) throw new TopologyError(`Topic "${topic}" was not known when the application started (create it first; a custom partitioner needs its partition count)`);
        return n;
      },
      clock: this.config.clock,
      globalStores: this.globalStores,
    };
  }

  private storeSettings(sub: Subtopology): TaskStoreSettings {
    return {
      builders: sub.stores.map((name) => this.topology.storeBuilder(name)),
      stateDir: this.config.stateDir,
      changelogTopic: (store) => changelogTopicName(this.config.applicationId, store),
    };
  }

  /** Commits and closes the tasks of revoked partitions. */
  async revoke(partitions: TopicPartition[]): Promise<void> {
    // The last round's commit may fail here rather than in a round. Its tasks are dropped by then;
    // when the log is only unavailable for now, those still assigned come back (recreateMigrated)
    // as after a round's failure, instead of the rebalance stopping the app.
    await this.committed().catch((e: unknown) => {
      if (!(e instanceof TributaryError && e.retriable)) throw e;
    });
    const ids = new Set(partitions.flatMap((tp) => {
      const sub = this.topicToSubtopology.get(tp.topic);
      return sub === undefined ? [] : [`${sub.id}_${tp.partition}`];
    }));
    const tasks = [...ids].flatMap((id) => this.tasks.get(id) ?? []);
    await this.commit(tasks);
    for (const task of tasks) {
      this.tasks.delete(task.id);
      await task.close();
      if (this.ownsProducer(task)) await task.producer.release();
    }
  }

  /** One round: fetch, process, send outputs, and commit when the interval is up. Returns records processed. */
  async runOnce(): Promise<number> {
    const tasks = [...this.tasks.values()];
    await Promise.all(tasks.flatMap((t) => t.fetch()));
    let processed = 0;
    const now = this.config.clock();
    const budget = this.recordsPerRound === undefined ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.ceil(this.recordsPerRound / tasks.length));
    for (const task of tasks) {
      processed += task.process(budget);
      task.punctuateWallClock(now);
    }
    // The last commit's failure, if it has ended, is handled in the round that sees it end.
    const commitEnded = this.committingEnded;
    const exactlyOnce = this.config.processingGuarantee === 'exactly_once';
    if (commitEnded) {
      await this.committed();
      if (exactlyOnce) await this.sentInTransactions();
    }
    // Only tasks still owned: one may have been dropped above (fenced) after this round began.
    const live = tasks.filter((t) => this.tasks.get(t.id) === t);
    if (exactlyOnce) {
      // Outputs go into the next transactions once the last commit has ended; until then they wait
      // in the producers' collectors and rounds go on processing.
      if (commitEnded && !this.holdsOutputs(processed, live.length)) {
        this.sendingInTransactions = [...byProducer(live)].map(([producer, tasks]) => {
          const done = producer.sendInTransaction();
          done.catch(() => undefined); // reported by the sentInTransactions() that awaits it
          return { tasks, done };
        });
      }
    } else {
      if (this.sending !== undefined) await this.sent();
      if (!this.producer.collector.isEmpty && !this.holdsOutputs(processed, live.length)) {
        const send = this.producer.collector.send(this.config.log);
        send.catch(() => undefined); // reported by the sent() that awaits it
        this.sending = send;
      }
    }
    if (now - this.lastCommit >= this.config.commitIntervalMs || live.some((t) => t.commitRequested)) await this.startCommit(live);
    return processed;
  }

  /**
   * Whether this round's outputs wait for a later round. Only on a thread that serves workers
   * (bounded rounds), and only while its rounds come full: it then sends every few rounds, as
   * many records as one unbounded round (maxPollRecords per task) would. Sending after each
   * short round made its writes a quarter of the size of the other threads'.
   */
  private holdsOutputs(processed: number, tasks: number): boolean {
    if (this.recordsPerRound === undefined || processed < this.recordsPerRound) {
      this.heldRounds = 0;
      return false;
    }
    const rounds = Math.ceil((this.config.maxPollRecords * tasks) / this.recordsPerRound);
    if (++this.heldRounds < rounds) return true;
    this.heldRounds = 0;
    return false;
  }

  /** Commits the given tasks (all by default): outputs are sent first, then offsets. */
  async commit(tasks: StreamTask[] = [...this.tasks.values()]): Promise<void> {
    await this.startCommit(tasks);
    await this.committed();
  }

  /**
   * A commit of the given tasks whose final step is left in flight (see `committing`): the
   * fsyncs of the transaction or offsets and the stores' LevelDB writes overlap the next round.
   */
  private async startCommit(tasks: StreamTask[]): Promise<void> {
    await this.committed();
    if (this.config.processingGuarantee === 'exactly_once') {
      await this.sentInTransactions();
      // A shared transaction commits every task in it: committing only some would make the others'
      // outputs visible without their input offsets (a crash would then process them twice).
      const producers = new Set(tasks.map((t) => t.producer));
      const all = [...this.tasks.values()].filter((t) => producers.has(t.producer));
      await Promise.all([...byProducer(all)].map(([producer, group]) => this.unlessMigrated(group, async () => {
        const finish = await producer.sendCommit(group, this.config.applicationId);
        if (finish !== undefined) this.inFlight(group, finish());
      })));
    } else {
      if (this.sending !== undefined) await this.sent();
      // Every task's outputs (caches flushed), then their changelog records, then offsets, then stores.
      for (const t of tasks) t.prepareCommit();
      if (!this.producer.collector.isEmpty) await this.producer.collector.send(this.config.log);
      const checkpoints = await Promise.all(tasks.map((t) => t.writeChangelog(this.config.log)));
      tasks.forEach((t, i) => this.inFlight([t], t.commitOffsets(checkpoints[i]!)));
    }
    if (this.committing.length > 0) {
      this.committingEnded = false;
      const steps = this.committing;
      void Promise.allSettled(steps.map((s) => s.done)).then(() => {
        if (this.committing === steps) this.committingEnded = true;
      });
    }
    this.lastCommit = this.config.clock();
    this.metrics.commits++;
  }

  private inFlight(tasks: StreamTask[], done: Promise<void>): void {
    done.catch(() => undefined); // handled by committed()
    this.committing.push({ tasks, done });
  }

  /**
   * Waits for the commit in flight. Tasks whose step failed are dropped with their
   * uncommitted work, as in unlessMigrated; a failure other than a migration is then thrown here.
   */
  private async committed(): Promise<void> {
    if (this.committing.length === 0) return;
    const steps = this.committing;
    this.committing = [];
    this.committingEnded = true;
    await this.settle(steps, () => true);
  }

  /**
   * exactly_once: waits for the sends into transactions in flight. Tasks migrated meanwhile are
   * dropped, as in unlessMigrated; any other failure is thrown here.
   */
  private async sentInTransactions(): Promise<void> {
    const steps = this.sendingInTransactions;
    if (steps.length === 0) return;
    this.sendingInTransactions = [];
    await this.settle(steps, migrated);
  }

  /** Awaits every step, drops the tasks of those whose failure `drops` accepts, then throws the first failure that is not a migration. */
  private async settle(steps: TaskStep[], drops: (reason: unknown) => boolean): Promise<void> {
    const results = await Promise.allSettled(steps.map((s) => s.done));
    let failure: { reason: unknown } | undefined;
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      if (drops(result.reason)) await this.dropTasks(steps[i]!.tasks);
      if (!migrated(result.reason)) failure ??= result;
    }
    if (failure !== undefined) throw failure.reason;
  }

  /** Waits for the send in flight; its failure is thrown here. */
  private async sent(): Promise<void> {
    const send = this.sending;
    this.sending = undefined;
    await send;
  }

  /**
   * Runs a transactional step of tasks. A fenced producer, or a commit refused for a member that
   * no longer owns the partitions, means another instance owns the tasks now (Kafka Streams'
   * TaskMigratedException): drop their uncommitted work and the tasks, quietly; the rebalance
   * that moved them will tell this instance its new assignment.
   */
  private async unlessMigrated(tasks: StreamTask[], step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (!migrated(e)) throw e;
      await this.dropTasks(tasks);
    }
  }

  /** Closes tasks dirty (which forgets them); recreateMigrated brings them back if their partitions are still assigned. */
  private async dropTasks(tasks: StreamTask[]): Promise<void> {
    await this.closeDirty(tasks);
    this.migratedAt ??= this.config.clock();
  }

  /**
   * Closes tasks dirty and forgets them. Under exactly_once their producers' transactions are
   * aborted first, and with them every task that shares one (its outputs went into the aborted
   * transaction too).
   */
  private async closeDirty(given: StreamTask[]): Promise<void> {
    const tasks = given.filter((t) => !t.isClosed); // a task in two failed steps is closed once
    const exactlyOnce = this.config.processingGuarantee === 'exactly_once';
    const producers = exactlyOnce ? new Set(tasks.map((t) => t.producer)) : new Set<StreamsProducer>();
    const sharing = [...this.tasks.values()].filter((t) => producers.has(t.producer) && !tasks.includes(t) && !t.isClosed);
    for (const producer of producers) await producer.abort();
    for (const task of [...tasks, ...sharing]) {
      await task.closeDirty();
      if (this.tasks.get(task.id) === task) this.tasks.delete(task.id);
    }
    for (const producer of producers) await producer.release();
  }

  /**
   * After tasks migrated away, recreates those whose partitions are still in `assignment` once
   * the group has had `graceMs` to rebalance (a fence by a zombie moves nothing).
   */
  async recreateMigrated(assignment: TopicPartition[], graceMs: number): Promise<void> {
    if (this.migratedAt === undefined || this.config.clock() - this.migratedAt < graceMs) return;
    this.migratedAt = undefined;
    await this.assign(assignment);
  }

  /** Closes every task: committing first when `clean`, dropping uncommitted work when not. */
  async closeAll(clean: boolean): Promise<void> {
    if (!clean) {
      // Its tasks are closed dirty below, once nothing is being sent into their transactions.
      await this.sentInTransactions().catch(() => undefined);
      await this.committed().catch(() => undefined);
    }
    const tasks = [...this.tasks.values()];
    if (clean) {
      await this.commit(tasks);
      for (const task of tasks) await task.close();
      for (const producer of new Set(tasks.map((t) => t.producer))) if (producer !== this.producer) await producer.release();
    } else {
      // Dropped with the uncommitted work.
      this.sending = undefined;
      this.producer.collector.clear();
      await this.closeDirty(tasks);
    }
    // A thread's producer left with no task has nothing in it; its id goes with the thread.
    await this.threadProducer?.abort();
    await this.threadProducer?.release();
    this.threadProducer = undefined;
    this.tasks.clear();
  }
}

/** Tasks grouped by the producer they share, in task order. */
function byProducer(tasks: StreamTask[]): Map<StreamsProducer, StreamTask[]> {
  const groups = new Map<StreamsProducer, StreamTask[]>();
  for (const t of tasks) {
    const group = groups.get(t.producer);
    if (group === undefined) groups.set(t.producer, [t]);
    else group.push(t);
  }
  return groups;
}
