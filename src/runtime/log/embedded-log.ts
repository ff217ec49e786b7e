import fs from 'node:fs';
import path from 'node:path';
import { compactPartition } from './compaction.js';
import { takeCleanShutdownMarker, writeCleanShutdownMarker } from './clean-shutdown.js';
import { CoordinatorLog, type OffsetCommit } from './coordinator-log.js';
import { DirectoryLock } from './directory-lock.js';
import { EmbeddedTransaction, type TransactionHost } from './embedded-transaction.js';
import { CorruptRecordError, InvalidConfigError, LogClosedError, TopicAlreadyExistsError, UnknownTopicError } from './errors.js';
import { replaceFileAtomically } from './file-format.js';
import { checkEncodedBatches, type EncodedBatches } from './encoded-batches.js';
import { decodeFetchedBatches, type FetchedBatches } from './fetched-batches.js';
import { checkFolderPath, checkMilliseconds, checkOptionalFunction, fetchOptions } from './request-checks.js';
import { GroupCoordinator } from './group-coordinator.js';
import { PartitionLog } from './partition-log.js';
import type {
  FetchRequest,
  GroupDescription,
  GroupMember,
  JoinGroupOptions,
  LogRecord,
  LogTransaction,
  PartitionLag,
  PartitionedLog,
  ProducerRecord,
  RecordMetadata,
  TopicConfig,
  TopicDescription,
  TopicPartitionOffset,
} from './partitioned-log.js';
import { planProduce, validateOffsets, partitionOf, type Topic } from './produce-plan.js';
import { StickyPartitioner } from './sticky-partitioner.js';
import { TransactionalIds } from './transactional-ids.js';
import type { SegmentDamage } from './segment.js';
import { describeConfig, resolveTopicConfig, validateTopicName, type ResolvedTopicConfig } from './topic-config.js';
import { dumpTopicSegments, type SegmentDump } from './segment-dump.js';

/**
 * When EmbeddedLog calls fsync. A write is in the OS page cache when its call resolves, so it
 * survives the process being killed; fsync is what makes it survive power loss.
 * - 'commit' (default): transaction commits and offset commits are fsynced before they resolve; an
 *   offset commit first fsyncs the records produced before it, so a power loss never keeps an
 *   offset commit and drops records written before it.
 * - 'always': every produce is fsynced too.
 * - 'never': nothing is fsynced (tests, throwaway data).
 */
export type FsyncPolicy = 'always' | 'commit' | 'never';

export type EmbeddedLogOptions = {
  fsync?: FsyncPolicy;
  /** How often retention and compaction run in the background; 0 turns the timer off. Default 30 s. */
  maintenanceIntervalMs?: number;
  /** Wall clock in ms, injectable for tests of retention and tombstone delay. */
  clock?: () => number;
  /** Receives a warning for each piece of damage found and cut off at open. Default: console.warn. */
  onDamage?: (damage: LogDamage) => void;
};

/** Damage found while opening: the bytes from `position` on were unreadable and were cut off. */
export type LogDamage = SegmentDamage;

/** What one maintenance pass did. */
export type MaintenanceResult = { deletedSegments: number; compactedRecords: number };

/**
 * Tributary's built-in partitioned log: durable segment files in a local folder, Kafka's
 * partitioner, read_committed transactions and in-process consumer groups. The default backend.
 *
 * @example
 * const log = await EmbeddedLog.open('./data');
 * await log.createTopic('clicks', { partitions: 4 });
 * await log.produce([{ topic: 'clicks', key: Buffer.from('u1'), value: Buffer.from('{}') }]);
 *
 * Kafka equivalent: a single Kafka broker with its log manager and group/transaction coordinators.
 */
export class EmbeddedLog implements PartitionedLog, TransactionHost {
  /** Transactions check at commit that the member named in sendOffsets still owns its partitions. */
  readonly fencesByGroupMembership = true;
  private readonly topics = new Map<string, Topic>();
  private readonly transactionalIds = new TransactionalIds();
  private readonly activeSeqs = new Set<number>();
  private readonly sticky = new StickyPartitioner();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly groups = new GroupCoordinator((topic) => this.topic(topic).config.partitions);
  private lastSeq: number;
  private closed = false;
  private maintenance: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dir: string,
    private readonly lock: DirectoryLock,
    private readonly coordinator: CoordinatorLog,
    private readonly fsyncPolicy: FsyncPolicy,
    private readonly clock: () => number,
    /** Damage found and cut off while opening (torn tails after a crash, corrupt bytes). */
    readonly recovery: readonly LogDamage[],
  ) {
    this.lastSeq = coordinator.watermark;
  }

  /**
   * The segment files of a topic in a log folder (every partition's, or `partition`'s), batch by
   * batch (offsets, sizes, transactions, timestamps), and the damage the next open would cut off.
   * It only reads, and takes no lock: a folder in use by a running log can be looked into (Kafka:
   * kafka-dump-log).
   */
  static dumpSegments(dir: string, topic: string, partition?: number): SegmentDump[] {
    return dumpTopicSegments(dir, topic, partition);
  }

  /** Opens (creating if needed) the log in `dir`, recovering from an unclean stop. */
  static async open(dir: string, options: EmbeddedLogOptions = {}): Promise<EmbeddedLog> {
    const fsyncPolicy = options.fsync ?? 'commit';
    if (!['always', 'commit', 'never'].includes(fsyncPolicy)) {
      throw new InvalidConfigError('fsync', `expected "always", "commit" or "never", got ${String(fsyncPolicy)}`);
    }
    const interval = options.maintenanceIntervalMs ?? 30_000;
    checkMilliseconds('maintenanceIntervalMs', interval, ' (0: no timer)');
    checkOptionalFunction('clock', options.clock);
    checkOptionalFunction('onDamage', options.onDamage);
    checkFolderPath('dir', dir);
    try {
      fs.mkdirSync(path.join(dir, 'topics'), { recursive: true });
    } catch (e) {
      // A file where the folder should be, or no permission to make it.
      throw new InvalidConfigError('dir', `cannot use "${dir}" as a log folder: ${(e as Error).message}`, e);
    }
    const lock = DirectoryLock.acquire(dir);
    try {
      fs.rmSync(path.join(dir, 'trash'), { recursive: true, force: true });
      const damage: SegmentDamage[] = [];
      const clean = await takeCleanShutdownMarker(dir);
      const coordinator = CoordinatorLog.open(dir, damage);
      const log = new EmbeddedLog(dir, lock, coordinator, fsyncPolicy, options.clock ?? Date.now, damage);
      log.loadTopics(damage, clean);
      // Every transaction on disk is now decided and its abort (if any) durable: shrink the journal.
      await coordinator.compact(log.lastSeq);
      const report = options.onDamage ?? ((d: LogDamage) => console.warn(`tributary: ${d.file} at byte ${d.position}: ${d.reason}; cut off ${d.droppedBytes} bytes`));
      damage.forEach(report);
      if (interval > 0) {
        log.timer = setInterval(() => void log.runMaintenance().catch(warnMaintenanceFailure), interval);
        log.timer.unref();
      }
      return log;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** `clean`: the last stop was clean, so active segments need no checksum pass (see clean-shutdown.ts). */
  private loadTopics(damage: SegmentDamage[], clean: boolean): void {
    const topicsDir = path.join(this.dir, 'topics');
    for (const name of fs.readdirSync(topicsDir)) {
      const dir = path.join(topicsDir, name);
      const metaFile = path.join(dir, 'topic.json');
      if (!fs.existsSync(metaFile)) {
        fs.rmSync(dir, { recursive: true, force: true }); // createTopic never finished
        continue;
      }
      let config: ResolvedTopicConfig;
      try {
        config = resolveTopicConfig(JSON.parse(fs.readFileSync(metaFile, 'utf8')) as TopicConfig);
      } catch (e) {
        throw new CorruptRecordError(`Topic metadata ${metaFile} is unreadable: ${(e as Error).message}`);
      }
      const partitions: PartitionLog[] = [];
      for (let p = 0; p < config.partitions; p++) {
        const pdir = path.join(dir, String(p));
        const settings = { segmentBytes: config.segmentBytes };
        if (!fs.existsSync(pdir)) {
          partitions.push(PartitionLog.create(pdir, name, p, settings));
          continue;
        }
        const opened = PartitionLog.open(pdir, name, p, settings, (seq) => this.coordinator.outcome(seq), damage, !clean);
        partitions.push(opened.log);
        this.lastSeq = Math.max(this.lastSeq, opened.maxTxnSeq);
      }
      this.topics.set(name, { name, config, partitions });
    }
    this.lastSeq = Math.max(this.lastSeq, this.coordinator.maxDecidedSeq);
  }

  ensureOpen(operation: string): void {
    if (this.closed) throw new LogClosedError(operation);
  }

  private topic(name: string): Topic {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new UnknownTopicError(name);
    return topic;
  }

  /** Runs `work` so that close() waits for it. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const done = () => this.inflight.delete(work);
    work.then(done, done);
    return work;
  }

  async createTopic(name: string, config: TopicConfig = {}): Promise<void> {
    this.ensureOpen('create a topic');
    validateTopicName(name);
    const resolved = resolveTopicConfig(config);
    if (this.topics.has(name)) throw new TopicAlreadyExistsError(name);
    const dir = path.join(this.dir, 'topics', name);
    fs.rmSync(dir, { recursive: true, force: true });
    const settings = { segmentBytes: resolved.segmentBytes };
    const partitions = Array.from({ length: resolved.partitions }, (_, p) => PartitionLog.create(path.join(dir, String(p)), name, p, settings));
    const topic: Topic = { name, config: resolved, partitions };
    this.topics.set(name, topic);
    // topic.json is written last: a folder without it is a creation that never finished.
    await this.track(replaceFileAtomically(path.join(dir, 'topic.json'), Buffer.from(JSON.stringify(describeConfig(resolved))), dir));
  }

  async deleteTopic(name: string): Promise<void> {
    this.ensureOpen('delete a topic');
    const topic = this.topic(name);
    this.topics.delete(name);
    for (const p of topic.partitions) p.close();
    this.coordinator.forgetTopic(name);
    // Moved aside first so a crash mid-delete never leaves a half-deleted topic that looks real.
    const trash = path.join(this.dir, 'trash');
    fs.mkdirSync(trash, { recursive: true });
    const aside = path.join(trash, `${name}-${process.hrtime.bigint()}`);
    fs.renameSync(path.join(this.dir, 'topics', name), aside);
    fs.rmSync(aside, { recursive: true, force: true });
  }

  async listTopics(): Promise<string[]> {
    this.ensureOpen('list topics');
    return [...this.topics.keys()].sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.ensureOpen('describe a topic');
    const topic = this.topic(name);
    return {
      name,
      config: describeConfig(topic.config),
      partitions: topic.partitions.map((p) => ({ partition: p.partition, startOffset: p.startOffset, endOffset: p.endOffset })),
    };
  }

  async produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    this.ensureOpen('produce');
    const metadata = this.append(records, 0, null);
    if (this.fsyncPolicy === 'always') await this.track(this.syncTopicsOf(records));
    return metadata;
  }

  private append(records: ProducerRecord[], txnSeq: number, touched: Set<PartitionLog> | null): RecordMetadata[] {
    const plan = planProduce(records, (name) => this.topic(name), this.sticky);
    const now = this.clock();
    const metadata = new Array<RecordMetadata>(records.length);
    for (const group of plan) {
      const base = group.partition.append(group.records, group.byteSize, txnSeq, now);
      touched?.add(group.partition);
      const { topic, partition } = group.partition;
      for (let i = 0; i < group.indices.length; i++) metadata[group.indices[i]!] = { topic, partition, offset: base + i };
    }
    return metadata;
  }

  /**
   * `produce` for records a stream thread encoded as batches (see encoded-batches.ts): returns
   * each batch's first offset, or null, writing nothing, when a topic changed under the encoder.
   */
  async produceEncoded(encoded: EncodedBatches): Promise<Float64Array | null> {
    this.ensureOpen('produce');
    const touched = new Set<PartitionLog>();
    const bases = this.appendEncoded(encoded, 0, touched);
    if (bases !== null && this.fsyncPolicy === 'always') await this.track(Promise.all([...touched].map((p) => p.sync())));
    return bases;
  }

  private appendEncoded(encoded: EncodedBatches, txnSeq: number, touched: Set<PartitionLog>): Float64Array | null {
    const batches = checkEncodedBatches(encoded, (name) => this.topic(name));
    if (batches === null) return null;
    const now = this.clock();
    const bases = new Float64Array(batches.length);
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      bases[i] = b.partition.appendEncoded(b.batch, b.lastOffsetDelta, b.maxTimestamp, txnSeq, now);
      touched.add(b.partition);
    }
    return bases;
  }

  private allPartitions(): PartitionLog[] {
    return [...this.topics.values()].flatMap((t) => t.partitions);
  }

  /** fsyncs every partition with writes not yet synced (or a sync in flight). */
  private async syncAllPartitions(): Promise<void> {
    await Promise.all(this.allPartitions().map((p) => p.sync()));
  }

  private async syncTopicsOf(records: ProducerRecord[]): Promise<void> {
    const partitions = new Set<PartitionLog>();
    for (const r of records) {
      const topic = this.topics.get(r.topic);
      if (topic !== undefined) for (const p of topic.partitions) partitions.add(p);
    }
    await Promise.all([...partitions].map((p) => p.sync()));
  }

  async fetch(req: FetchRequest): Promise<LogRecord[]> {
    this.ensureOpen('fetch');
    const partition = partitionOf(this.topic(req.topic), req.partition);
    const { maxRecords, readCommitted } = fetchOptions(req);
    return partition.fetch(req.offset, maxRecords, readCommitted);
  }

  /**
   * `fetch` without the decoding: the batches as read from disk. Stream threads running in
   * worker threads fetch this way, so the decoding (checksums included) happens in the worker.
   */
  async fetchBatches(req: FetchRequest): Promise<FetchedBatches> {
    this.ensureOpen('fetch');
    const partition = partitionOf(this.topic(req.topic), req.partition);
    const { maxRecords, readCommitted } = fetchOptions(req);
    return partition.fetchBatches(req.offset, maxRecords, readCommitted);
  }

  /**
   * `fetch` for stream tasks: the records are RecordViews, whose keys and values a serde reads in
   * place. Plain `fetch` returns plain objects, which can be copied and spread.
   */
  async fetchViews(req: FetchRequest): Promise<LogRecord[]> {
    return decodeFetchedBatches(await this.fetchBatches(req), true);
  }

  async transaction(transactionalId: string): Promise<LogTransaction> {
    this.ensureOpen('begin a transaction');
    if (typeof transactionalId !== 'string' || transactionalId.length === 0) {
      throw new InvalidConfigError('transactionalId', 'must be a non-empty string');
    }
    const { epoch, previous } = this.transactionalIds.nextEpoch(transactionalId);
    // As Kafka's initTransactions: the fenced producer's unfinished transaction is aborted.
    if (previous?.isOpen) await this.track(previous.abortAfterFailure());
    const txn = new EmbeddedTransaction(this, transactionalId, epoch);
    this.transactionalIds.started(transactionalId, txn);
    return txn;
  }

  /** Forgets an id whose owner is gone (stream threads' ids are new at every start), fencing its transactions and aborting an open one. */
  async releaseTransactionalId(transactionalId: string): Promise<void> {
    const txn = this.transactionalIds.release(transactionalId);
    if (txn?.isOpen) await this.track(txn.abortAfterFailure());
  }

  isCurrent(transactionalId: string, epoch: number): boolean {
    return this.transactionalIds.isCurrent(transactionalId, epoch);
  }

  nextTxnSeq(): number {
    const seq = ++this.lastSeq;
    this.activeSeqs.add(seq);
    return seq;
  }

  appendTransactional(records: ProducerRecord[], txnSeq: number, touched: Set<PartitionLog>): RecordMetadata[] {
    return this.append(records, txnSeq, touched);
  }

  appendEncodedTransactional(encoded: EncodedBatches, txnSeq: number, touched: Set<PartitionLog>): Float64Array | null {
    return this.appendEncoded(encoded, txnSeq, touched);
  }

  validateOffsets(offsets: TopicPartitionOffset[]): void {
    validateOffsets(offsets, (name) => this.topic(name));
  }

  finish(txnSeq: number, touched: Set<PartitionLog>, offsets: OffsetCommit[] | null, owners?: ReadonlyMap<string, string>): Promise<void> {
    return this.track(this.finishTransaction(txnSeq, touched, offsets, owners));
  }

  private async finishTransaction(txnSeq: number, touched: Set<PartitionLog>, offsets: OffsetCommit[] | null, owners?: ReadonlyMap<string, string>): Promise<void> {
    const live = [...touched].filter((p) => this.topics.get(p.topic)?.partitions[p.partition] === p);
    const sync = this.fsyncPolicy !== 'never';
    try {
      if (offsets === null) {
        await this.coordinator.abortTransaction(txnSeq);
      } else {
        if (sync) await Promise.all(live.map((p) => p.sync()));
        // Checked after the syncs, just before the decision is appended (the transaction then
        // aborts): a rebalance moves a partition only once its owner's revocation is over, and
        // that awaits the owner's commit in flight.
        const stale = owners === undefined ? undefined : this.groups.staleOwner(offsets, owners);
        if (stale !== undefined) throw stale;
        await this.coordinator.commitTransaction(txnSeq, offsets, sync);
      }
      await Promise.all(live.map((p) => p.endTransaction(txnSeq, offsets !== null)));
    } finally {
      this.activeSeqs.delete(txnSeq);
    }
    if (this.coordinator.wantsCompaction) {
      const upTo = this.activeSeqs.size === 0 ? this.lastSeq : Math.min(...this.activeSeqs) - 1;
      await this.coordinator.compact(upTo);
    }
  }

  async commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen('commit offsets');
    validateGroupId(groupId);
    this.validateOffsets(offsets);
    const commit = { groupId, offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })) };
    // Records produced before an offset commit are made as durable as it first: an at_least_once
    // app commits its input offsets after sending their outputs, and a power loss that kept the
    // offsets but dropped those outputs would lose records.
    if (this.fsyncPolicy === 'commit') await this.track(this.syncAllPartitions());
    await this.track(this.coordinator.commitOffsets(commit, this.fsyncPolicy !== 'never'));
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    this.ensureOpen('read committed offsets');
    validateGroupId(groupId);
    this.topic(topic);
    const committed = this.coordinator.committed(groupId, topic);
    if (committed === undefined) return [];
    return [...committed].sort((a, b) => a[0] - b[0]).map(([partition, offset]) => ({ topic, partition, offset }));
  }

  async joinGroup(groupId: string, options: JoinGroupOptions): Promise<GroupMember> {
    this.ensureOpen('join a group');
    validateGroupId(groupId);
    return this.groups.join(groupId, options);
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    this.ensureOpen('describe a group');
    return this.groups.describe(groupId);
  }

  async groupLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    this.ensureOpen('compute group lag');
    const committed = this.coordinator.committed(groupId, topic);
    return this.topic(topic).partitions.map((p) => {
      const offset = committed?.get(p.partition) ?? null;
      return { topic, partition: p.partition, committedOffset: offset, endOffset: p.endOffset, lag: p.endOffset - (offset ?? p.startOffset) };
    });
  }

  /**
   * Applies retention (whole old segments past retentionMs/retentionBytes) and compaction (on
   * 'compact' topics) once. The background timer calls this; tests call it directly.
   */
  runMaintenance(): Promise<MaintenanceResult> {
    this.ensureOpen('run maintenance');
    const run = this.maintenance.then(async () => {
      const result: MaintenanceResult = { deletedSegments: 0, compactedRecords: 0 };
      const now = this.clock();
      for (const topic of [...this.topics.values()]) {
        for (const p of topic.partitions) {
          if (this.closed || this.topics.get(topic.name) !== topic) break;
          result.deletedSegments += p.enforceRetention(now, topic.config.retentionMs, topic.config.retentionBytes);
          if (topic.config.cleanupPolicy === 'compact') {
            result.compactedRecords += await compactPartition(p, now, topic.config.deleteRetentionMs);
          }
        }
      }
      return result;
    });
    this.maintenance = run.catch(() => undefined);
    return this.track(run);
  }

  /**
   * Flushes everything to disk (unless fsync is 'never'), closes files and releases the folder.
   * A synced close leaves the clean-shutdown marker, so the next open skips the checksum pass.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.groups.closeAll().catch(() => undefined);
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    for (const txn of this.transactionalIds.transactions()) if (txn.isOpen) await txn.abortAfterFailure().catch(() => undefined);
    const partitions = this.allPartitions();
    if (this.fsyncPolicy !== 'never') await Promise.all(partitions.map((p) => p.sync(true)));
    for (const p of partitions) p.close();
    this.coordinator.close();
    try {
      if (this.fsyncPolicy !== 'never') await writeCleanShutdownMarker(this.dir);
    } finally {
      this.lock.release();
    }
  }
}

function validateGroupId(groupId: unknown): void {
  if (typeof groupId !== 'string' || groupId.length === 0) throw new InvalidConfigError('groupId', 'must be a non-empty string');
}

function warnMaintenanceFailure(e: unknown): void {
  console.warn('tributary: background maintenance failed:', e);
}
