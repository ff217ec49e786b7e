import { TaskExecutor, type PreparedRecord, type TaskSettings } from '../../processor/internals/task-executor.js';
import type { Subtopology } from '../../processor/topology-nodes.js';
import { SerializationError } from '../../serdes/serialization-error.js';
import type { ManagedStore } from '../../state/internals/managed-store.js';
import { TaskStores, type ChangelogReader, type ChangelogWrites } from '../../state/internals/task-stores.js';
import type { StoreBuilder } from '../../state/state-store.js';
import { StateStoreError } from '../../state/state-store-error.js';
import type { TopicShape } from '../log/batch-builder.js';
import { OffsetOutOfRangeError } from '../log/errors.js';
import type { FetchRequest, LogRecord, PartitionedLog, TopicPartition, TopicPartitionOffset } from '../log/partitioned-log.js';
import { ChangelogWriter } from './changelog-writer.js';
import type { ProduceTarget } from './record-collector.js';
import type { StreamsProducer } from './streams-producer.js';
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
 * Keys staged across a task's stores that make it commit before the interval is up. It bounds
 * memory (a staged key holds its entry, key bytes, value and any held result) and the size of
 * one commit; larger values measured no faster (1M-key windowed count, 8 tasks).
 */
const STAGED_COMMIT_THRESHOLD = 10_000;
/**
 * The same bound when staging coalesces little: fewer writes went to keys already staged than
 * there are staged keys (mostly new keys, as with 1M keys). Holding those longer saves no writes
 * and a big commit costs more per key (it all stays live until written; GC copies it): a windowed
 * count over 1M keys ran ~15% faster committing at 2k than at 10k, and 10k keys (each key written
 * ~6 times per commit) ~20% slower at 2.5k than at 10k, so the lower bound applies only here.
 * And only when the task's last commit coalesced little too: keys that repeat see a burst of new
 * ones whenever a new window starts, which a commit of the window's first ~2k keys did not help
 * (the 10k-key windowed count at exactly_once committed 140 times in 3M records instead of ~90,
 * and ran ~25% faster on one thread without those commits, side by side). A steady run of new
 * keys is caught at the next commit (interval or STAGED_COMMIT_THRESHOLD).
 */
const UNCOALESCED_COMMIT_THRESHOLD = 2_000;

/** Fewer writes went to keys already staged than there are staged keys: mostly new keys. */
function isUncoalesced(staged: number, writes: number): boolean {
  return writes - staged < staged;
}

/** Changelog records read per fetch while restoring. */
const RESTORE_BATCH = 10_000;
/** How long a restore waits for the changelog's transactions below its end to be decided. */
const STABLE_TIMEOUT_MS = 60_000;

/** What a task needs to open its stores. */
export type TaskStoreSettings = { builders: StoreBuilder[]; stateDir: string; changelogTopic: (store: string) => string };

/**
 * A task: one sub-topology on one partition number. It owns its input queues, its processors
 * (through a TaskExecutor) and its stores; its outputs go through a StreamsProducer (with their
 * transaction, under exactly_once). Records are taken from its partitions in timestamp order.
 */
export class StreamTask {
  private readonly executor: TaskExecutor;
  private readonly queues: InputQueue[];
  private readonly storeMap = new Map<string, ManagedStore>();
  private stores: TaskStores | undefined;
  /** Changelog records of the commit being written, in the order they were sent. */
  private changelog: ChangelogWrites[] = [];
  /** Writes the changelog records of commits; knows the changelog topics once the stores are open. */
  private changelogWriter = new ChangelogWriter(new Map());
  private uncommitted = false;
  /** Set by close/closeDirty: a closed task must never write or commit again (see StreamsProducer.sendCommit). */
  private closed = false;
  commitRequested = false;
  /** Whether the last commit's staged keys were mostly written once (see UNCOALESCED_COMMIT_THRESHOLD). */
  private lastCommitUncoalesced = true;

  constructor(
    readonly id: string,
    readonly subtopology: Subtopology,
    partitions: TopicPartition[],
    settings: Omit<TaskSettings, 'write' | 'requestCommit' | 'taskId' | 'partition' | 'stores'>,
    private readonly storeSettings: TaskStoreSettings,
    private readonly config: ResolvedStreamsConfig,
    private readonly metrics: StreamsMetrics,
    /** Sends what the task's sinks write, and under exactly_once commits it (see StreamsProducer for who shares one). */
    readonly producer: StreamsProducer,
  ) {
    this.executor = new TaskExecutor(subtopology, {
      ...settings,
      stores: this.storeMap,
      taskId: id,
      partition: partitions[0]!.partition,
      write: producer.collector.write,
      requestCommit: () => void (this.commitRequested = true),
      onDropped: () => void this.metrics.droppedRecords++,
    });
    this.queues = partitions.map((tp) => ({ ...tp, records: [], next: 0, fetchOffset: 0, consumed: 0, caughtUp: false, head: undefined }));
  }

  private get log(): PartitionedLog {
    return this.config.log;
  }

  /** Starts each input partition at the group's committed offset (or the start of the log). */
  async initialize(): Promise<void> {
    const byTopic = new Map<string, TopicPartitionOffset[]>();
    for (const q of this.queues) {
      if (!byTopic.has(q.topic)) byTopic.set(q.topic, await this.log.committedOffsets(this.config.applicationId, q.topic));
      const committed = byTopic.get(q.topic)!.find((o) => o.partition === q.partition);
      q.fetchOffset = q.consumed = committed?.offset ?? (await this.startOffset(q));
    }
    if (this.storeSettings.builders.length > 0) await this.openStores();
    this.executor.init();
  }

  /** Opens the task's stores and restores them from their changelogs before anything is processed. */
  private async openStores(): Promise<void> {
    const { builders, stateDir, changelogTopic } = this.storeSettings;
    const stores = await TaskStores.open(builders, {
      applicationId: this.config.applicationId,
      taskId: this.id,
      partition: this.queues[0]!.partition,
      stateDir,
      defaultKeySerde: this.config.defaultKeySerde,
      defaultValueSerde: this.config.defaultValueSerde,
      recordTimestamp: () => this.executor.recordTimestamp,
      changelogTopic,
    });
    this.stores = stores;
    try {
      const restored = await stores.restore(this.changelogReader());
      this.metrics.restoredRecords += restored; // not `+= await`: tasks restore in parallel
    } catch (e) {
      await stores.close().catch(() => undefined);
      this.stores = undefined;
      throw e;
    }
    for (const [name, store] of stores.stores) this.storeMap.set(name, store);
    this.changelogWriter = new ChangelogWriter(await this.changelogShapes());
  }

  /** Partition count and cleanup policy of the task's changelog topics (the engine made them before tasks start). */
  private async changelogShapes(): Promise<Map<string, TopicShape>> {
    const shapes = new Map<string, TopicShape>();
    if ((this.log as ProduceTarget).produceEncoded === undefined) return shapes; // records it is, then
    for (const b of this.storeSettings.builders) {
      if (!b.logging) continue;
      const topic = this.storeSettings.changelogTopic(b.name);
      const d = await this.log.describeTopic(topic);
      shapes.set(topic, { partitions: d.partitions.length, compacted: d.config.cleanupPolicy === 'compact' });
    }
    return shapes;
  }

  private changelogReader(): ChangelogReader {
    return {
      bounds: async (topic, partition) => {
        const p = (await this.log.describeTopic(topic)).partitions[partition];
        const end = p?.endOffset ?? 0;
        await this.untilStable(topic, partition, end);
        return { start: p?.startOffset ?? 0, end };
      },
      read: async (topic, partition, offset) => {
        const records = await this.log.fetch({ topic, partition, offset, maxRecords: RESTORE_BATCH, isolation: 'read_committed' });
        const ops = records.map((r) => ({ key: r.key ?? Buffer.alloc(0), value: r.value, timestamp: r.timestamp }));
        return { ops, next: records.length > 0 ? records[records.length - 1]!.offset + 1 : offset };
      },
    };
  }

  /**
   * On Kafka, the previous owner's last commit can be visible (its input offsets) before its
   * changelog records are readable (markers still being written). Restoring then would miss them
   * while their inputs count as consumed: wait until every transaction below `end` is decided.
   * (On Kafka the task holds its transactional id by now, so no newer one can start.)
   */
  private async untilStable(topic: string, partition: number, end: number): Promise<void> {
    const stable = this.log.lastStableOffset?.bind(this.log);
    if (stable === undefined) return;
    const deadline = Date.now() + STABLE_TIMEOUT_MS;
    while ((await stable(topic, partition)) < end) {
      if (Date.now() > deadline) throw new StateStoreError(`Changelog ${topic}-${partition} still has undecided transactions below offset ${end} after ${STABLE_TIMEOUT_MS} ms; cannot restore`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The task's open stores by name (for interactive queries). */
  get storesByName(): ReadonlyMap<string, ManagedStore> {
    return this.storeMap;
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
          records = await this.fetchInput({ topic: q.topic, partition: q.partition, offset: q.fetchOffset, maxRecords: this.config.maxPollRecords, isolation });
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

  /** Input records as RecordViews where the log offers them (EmbeddedLog, in this thread or served to a worker). */
  private fetchInput(req: FetchRequest): Promise<LogRecord[]> {
    const log = this.log as PartitionedLog & { fetchViews?(req: FetchRequest): Promise<LogRecord[]> };
    return log.fetchViews !== undefined ? log.fetchViews(req) : log.fetch(req);
  }

  /**
   * Processes up to `budget` buffered records, always the one with the smallest (extracted)
   * timestamp among the partitions' next records. Stops when a partition that may have more data
   * runs dry, so order is kept across refills. Synchronous: no await per record.
   */
  process(budget: number): number {
    let done = 0;
    for (let best = this.nextQueue(); best !== undefined && done < budget; best = this.nextQueue()) {
      const prepared = best.head!;
      best.head = undefined;
      best.next++;
      best.consumed = prepared.metadata.offset + 1;
      this.executor.processPrepared(prepared);
      this.metrics.processedRecords++;
      this.uncommitted = true;
      done++;
    }
    if (this.stores !== undefined && this.stagedEnough(this.stores)) this.commitRequested = true;
    return done;
  }

  /** Whether the staged writes are worth a commit before the interval is up (see the thresholds above). */
  private stagedEnough(stores: TaskStores): boolean {
    const staged = stores.stagedCount;
    if (staged > STAGED_COMMIT_THRESHOLD) return true;
    return this.lastCommitUncoalesced && staged > UNCOALESCED_COMMIT_THRESHOLD && isUncoalesced(staged, stores.stagedWrites);
  }

  /**
   * The queue whose next record has the smallest timestamp, or undefined when none has a record
   * or a partition that may have more data ran dry (order is kept across refills).
   */
  private nextQueue(): InputQueue | undefined {
    const queues = this.queues;
    let best: InputQueue | undefined;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]!;
      const head = this.headOf(q);
      if (head === undefined) {
        if (!q.caughtUp) return undefined;
        continue;
      }
      if (best === undefined || head.record.timestamp < best.head!.record.timestamp) best = q;
    }
    return best;
  }

  /** The queue's next record, deserialized; records the handler skips are consumed here. */
  private headOf(q: InputQueue): PreparedRecord | undefined {
    while (q.head === undefined && q.next < q.records.length) {
      const r = q.records[q.next]!;
      try {
        q.head = this.executor.prepare(r);
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
    this.producer.collector.push({ topic: handler.deadLetterTopic, key: r.key, value: r.value, timestamp: r.timestamp, headers });
  }

  punctuateWallClock(now: number): void {
    if (this.executor.punctuateWallClock(now) > 0) this.uncommitted = true;
  }

  /** Whether the task was closed (it must not write or commit again). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The input offsets a commit stores (up to the records processed so far); the task counts as committed from here. */
  takeOffsets(): TopicPartitionOffset[] {
    this.uncommitted = false;
    this.commitRequested = false;
    return this.queues.map((q) => ({ topic: q.topic, partition: q.partition, offset: q.consumed }));
  }

  /** Whether anything happened since the last commit that a commit must record. */
  get needsCommit(): boolean {
    return this.uncommitted || (this.stores?.stagedCount ?? 0) > 0;
  }

  /**
   * First step of a commit: caching stores forward what they held back (into the collector:
   * outputs are sent before the changelog records), and stores stage this commit's changelog
   * records for writeChangelog.
   */
  prepareCommit(): void {
    if (this.stores === undefined) return;
    if (this.stores.stagedCount > 0) this.lastCommitUncoalesced = isUncoalesced(this.stores.stagedCount, this.stores.stagedWrites);
    this.stores.flushCaches();
    this.changelog = this.stores.prepareCommit();
  }

  /** Second step: writes the prepared changelog records; returns each store's checkpoint. */
  writeChangelog(target: ProduceTarget): Promise<Map<string, number>> {
    const changelog = this.changelog;
    this.changelog = [];
    return this.changelogWriter.write(target, changelog);
  }

  /** Last step, once the commit is durable in the log: stores apply their staged writes with the changelog offsets they reach. */
  async completeCommit(checkpoints: Map<string, number>): Promise<void> {
    if (this.stores !== undefined) await this.stores.commit(checkpoints);
  }

  /**
   * at_least_once commit, after the outputs and writeChangelog: input offsets, then stores. The
   * offsets are those processed up to this call; records processed while it runs are the next
   * commit's.
   */
  async commitOffsets(checkpoints: Map<string, number>): Promise<void> {
    if (this.closed) return;
    const offsets = this.uncommitted ? this.takeOffsets() : undefined;
    this.commitRequested = false;
    if (offsets !== undefined) await this.log.commitOffsets(this.config.applicationId, offsets);
    await this.completeCommit(checkpoints);
  }

  /**
   * Drops everything not committed in the task; used on errors. Its outputs in flight are the
   * producer's: the task manager aborts that (under exactly_once) before closing it.
   */
  async closeDirty(): Promise<void> {
    this.closed = true;
    this.changelog = [];
    this.executor.close();
    this.stores?.discard();
    await this.closeStores();
  }

  /** Closes a committed task. */
  async close(): Promise<void> {
    this.closed = true;
    this.executor.close();
    await this.closeStores();
  }

  private async closeStores(): Promise<void> {
    const stores = this.stores;
    this.stores = undefined;
    this.storeMap.clear();
    await stores?.close();
  }
}
