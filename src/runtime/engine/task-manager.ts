import { TributaryError } from '../../errors/tributary-error.js';
import { TopologyError } from '../../processor/topology-error.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { ProducerFencedError } from '../log/errors.js';
import type { TopicPartition } from '../log/partitioned-log.js';
import type { Topology } from '../../processor/topology.js';
import type { StateStore } from '../../state/state-store.js';
import { changelogTopicName } from './internal-topics.js';
import { RecordCollector } from './record-collector.js';
import { StreamTask, type TaskStoreSettings } from './stream-task.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { StreamsMetrics } from './streams-metrics.js';

/** A task's step in flight (a commit's last step, or a send into its transaction). */
type TaskStep = { task: StreamTask; done: Promise<void> };

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
   * exactly_once: the last round's sends into the tasks' transactions, which the next round's
   * processing overlaps as at_least_once's `sending` does (a worker thread's send waits for the
   * main thread's answer). Awaited before the next sends, before a commit, and before tasks close.
   */
  private sendingInTransactions: TaskStep[] = [];
  /** at_least_once: the outputs of every task, sent in one produce per round. */
  private readonly collector: RecordCollector;
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
  ) {
    for (const sub of subtopologies) {
      for (const topic of this.sourceTopicsOf(sub)) {
        if (this.topicToSubtopology.has(topic)) throw new TopologyError(`Topic "${topic}" is read by two sources; read it once and branch instead`);
        this.topicToSubtopology.set(topic, sub);
      }
    }
    this.lastCommit = config.clock();
    this.collector = new RecordCollector(config.log);
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
      .map(([id, { sub, partitions: tps }]) => new StreamTask(id, sub, tps, this.taskSettings(), this.storeSettings(sub), this.config, this.metrics, this.collectorFor()));
    const results = await Promise.allSettled(created.map((t) => t.initialize()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(created.map((t) => t.closeDirty().catch(() => undefined)));
      throw failure.reason;
    }
    for (const task of created) this.tasks.set(task.id, task);
  }

  /** exactly_once: a task's own (its outputs go in its transaction); at_least_once: the shared one. */
  private collectorFor(): RecordCollector {
    return this.config.processingGuarantee === 'exactly_once' ? new RecordCollector(this.config.log) : this.collector;
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
      // in the tasks' collectors and rounds go on processing.
      if (commitEnded && !this.holdsOutputs(processed, live.length)) {
        this.sendingInTransactions = live.map((task) => {
          const done = task.sendOutputsInTransaction();
          done.catch(() => undefined); // reported by the sentInTransactions() that awaits it
          return { task, done };
        });
      }
    } else {
      if (this.sending !== undefined) await this.sent();
      if (!this.collector.isEmpty && !this.holdsOutputs(processed, live.length)) {
        const send = this.collector.send(this.config.log);
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
      await Promise.all(tasks.map((t) => this.unlessMigrated(t, async () => {
        const finish = await t.sendTransaction();
        if (finish !== undefined) this.inFlight(t, finish());
      })));
    } else {
      if (this.sending !== undefined) await this.sent();
      // Every task's outputs (caches flushed), then their changelog records, then offsets, then stores.
      for (const t of tasks) t.prepareCommit();
      if (!this.collector.isEmpty) await this.collector.send(this.config.log);
      const checkpoints = await Promise.all(tasks.map((t) => t.writeChangelog(this.config.log)));
      tasks.forEach((t, i) => this.inFlight(t, t.commitOffsets(checkpoints[i]!)));
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

  private inFlight(task: StreamTask, done: Promise<void>): void {
    done.catch(() => undefined); // handled by committed()
    this.committing.push({ task, done });
  }

  /**
   * Waits for the commit in flight. A task whose step failed is dropped with its
   * uncommitted work, as in unlessMigrated; a failure other than a fence is then thrown here.
   */
  private async committed(): Promise<void> {
    if (this.committing.length === 0) return;
    const steps = this.committing;
    this.committing = [];
    this.committingEnded = true;
    await this.settle(steps, () => true);
  }

  /**
   * exactly_once: waits for the sends into transactions in flight. A task fenced meanwhile is
   * dropped, as in unlessMigrated; any other failure is thrown here.
   */
  private async sentInTransactions(): Promise<void> {
    const steps = this.sendingInTransactions;
    if (steps.length === 0) return;
    this.sendingInTransactions = [];
    await this.settle(steps, (reason) => reason instanceof ProducerFencedError);
  }

  /** Awaits every task's step, drops the tasks whose failure `drops` accepts, then throws the first failure that is not a fence. */
  private async settle(steps: TaskStep[], drops: (reason: unknown) => boolean): Promise<void> {
    const results = await Promise.allSettled(steps.map((s) => s.done));
    let failure: { reason: unknown } | undefined;
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      if (drops(result.reason)) await this.dropTask(steps[i]!.task);
      if (!(result.reason instanceof ProducerFencedError)) failure ??= result;
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
   * Runs a task's transactional step. A fenced producer means another instance owns the task now
   * (Kafka Streams' TaskMigratedException): drop its uncommitted work and the task, quietly; the
   * rebalance that moved it will tell this instance its new assignment.
   */
  private async unlessMigrated(task: StreamTask, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (!(e instanceof ProducerFencedError)) throw e;
      await this.dropTask(task);
    }
  }

  /** Closes a task dirty and forgets it; recreateMigrated brings it back if its partitions are still assigned. */
  private async dropTask(task: StreamTask): Promise<void> {
    await task.closeDirty();
    this.tasks.delete(task.id);
    this.migratedAt ??= this.config.clock();
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
    if (clean) await this.commit(tasks);
    else {
      // Dropped with the uncommitted work.
      this.sending = undefined;
      this.collector.clear();
    }
    for (const task of tasks) {
      if (clean) await task.close();
      else await task.closeDirty();
    }
    this.tasks.clear();
  }
}
