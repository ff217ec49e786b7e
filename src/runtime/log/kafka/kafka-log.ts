import { InvalidConfigError, InvalidRecordError, LogClosedError, OffsetOutOfRangeError, TopicAlreadyExistsError, UnknownPartitionError, UnknownTopicError } from '../errors.js';
import { partitionForKey } from '../murmur2.js';
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
  TopicPartition,
  TopicPartitionOffset,
} from '../partitioned-log.js';
import { checkRecordFields } from '../produce-plan.js';
import { checkCommitOffset, fetchOptions } from '../request-checks.js';
import { StickyPartitioner } from '../sticky-partitioner.js';
import { resolveTopicConfig, validateTopicName } from '../topic-config.js';
import type { ClientGroupMember, ClientTransaction, KafkaClient, PartitionBatch, TransactionalProducer } from './kafka-client.js';
import { KafkaError, mapKafkaError } from './kafka-errors.js';
import { KafkaTransaction, type KafkaTransactionHost } from './kafka-transaction.js';
import { KafkajsClient } from './kafkajs-client.js';
import { FetchBuffer } from './fetch-buffer.js';

/** How long createTopic waits for the new partitions to be served. */
const TOPIC_READY_TIMEOUT_MS = 15_000;

/** How long commit() waits for Kafka's commit markers before resolving anyway. */
const VISIBILITY_TIMEOUT_MS = 10_000;

export type KafkaLogOptions = {
  /** Bootstrap servers, e.g. ['localhost:9092']. */
  brokers: string[];
  clientId?: string;
  /** Another Kafka client behind the same interface (default: kafkajs). */
  client?: KafkaClient;
  /** Upper bound on bytes per fetch. Default 4 MiB. */
  fetchMaxBytes?: number;
  /** Consumer-group session timeout: how soon a dead member's partitions move. Default 10 s. */
  sessionTimeoutMs?: number;
  /**
   * Replicas of every topic this log creates (inputs, repartition topics, changelogs). Default:
   * the broker's `default.replication.factor`. Kafka Streams: `replication.factor`.
   */
  replicationFactor?: number;
};

/**
 * PartitionedLog on an Apache Kafka cluster, through kafkajs. Same contract, same errors and
 * the same partitioner as EmbeddedLog, so a topology moves between them unchanged.
 *
 * @example
 * const log = new KafkaLog({ brokers: ['localhost:9092'] });
 * await log.createTopic('orders', { partitions: 6 });
 */
export class KafkaLog implements PartitionedLog, KafkaTransactionHost {
  private readonly client: KafkaClient;
  private readonly partitions = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private readonly producers = new Map<string, { producer: TransactionalProducer; open: KafkaTransaction | undefined }>();
  private readonly retired: TransactionalProducer[] = [];
  private readonly sticky = new StickyPartitioner();
  /** This log's live group memberships: offset commits for these groups go through the member. */
  private readonly members = new Map<string, ClientGroupMember>();
  private readonly fetchMaxBytes: number;
  /** What fetches received beyond the records asked for, for the next fetch of the partition. */
  private readonly fetched = new FetchBuffer();
  private readonly replicationFactor: number | undefined;
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(options: KafkaLogOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0 || !options.brokers.every((b) => typeof b === 'string' && b.includes(':'))) {
      throw new InvalidConfigError('brokers', `give at least one "host:port", got ${JSON.stringify(options.brokers)}`);
    }
    this.client = options.client ?? new KafkajsClient({ brokers: options.brokers, clientId: options.clientId ?? 'tributary' }, options.sessionTimeoutMs ?? 10_000);
    this.fetchMaxBytes = options.fetchMaxBytes ?? 4 * 1024 * 1024;
    if (options.replicationFactor !== undefined && !(Number.isInteger(options.replicationFactor) && options.replicationFactor >= 1)) {
      throw new InvalidConfigError('replicationFactor', `expected an integer >= 1, got ${String(options.replicationFactor)}`);
    }
    this.replicationFactor = options.replicationFactor;
  }

  ensureOpen(operation: string): void {
    if (this.closed) throw new LogClosedError(operation);
  }

  private async ready(operation: string): Promise<void> {
    this.ensureOpen(operation);
    this.connected ??= this.client.connect();
    await this.connected;
  }

  private async call<T>(operation: string, topic: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      await this.ready(operation);
      return await work();
    } catch (e) {
      throw mapKafkaError(e, topic === undefined ? {} : { topic });
    }
  }

  private async partitionCount(topic: string): Promise<number> {
    const known = this.partitions.get(topic);
    if (known !== undefined) return known;
    const count = await this.client.partitionCount(topic);
    if (count === null) throw new UnknownTopicError(topic);
    this.partitions.set(topic, count);
    return count;
  }

  private async checkPartition(topic: string, partition: unknown): Promise<number> {
    return partitionIn(topic, partition, await this.partitionCount(topic));
  }

  async createTopic(name: string, config: TopicConfig = {}): Promise<void> {
    validateTopicName(name);
    const resolved = resolveTopicConfig(config);
    // EmbeddedLog applies retention to compacted topics too; on Kafka that is 'compact,delete'.
    const policy = resolved.cleanupPolicy === 'compact' && config.retentionMs !== undefined ? 'compact,delete' : resolved.cleanupPolicy;
    const configs: Record<string, string> = { 'cleanup.policy': policy };
    if (config.retentionMs !== undefined) configs['retention.ms'] = String(config.retentionMs);
    if (config.retentionBytes !== undefined) configs['retention.bytes'] = String(config.retentionBytes);
    if (config.segmentBytes !== undefined) configs['segment.bytes'] = String(config.segmentBytes);
    if (config.deleteRetentionMs !== undefined) configs['delete.retention.ms'] = String(config.deleteRetentionMs);
    const created = await this.call('create a topic', name, () => this.client.createTopic(name, resolved.partitions, configs, this.replicationFactor));
    if (!created) throw new TopicAlreadyExistsError(name);
    this.partitions.set(name, resolved.partitions);
    this.fetched.forget(name);
    await this.untilServed(name, resolved.partitions);
  }

  /**
   * Kafka answers CreateTopics before every broker serves the new partitions; wait until their
   * leaders answer, so the topic is usable (as on EmbeddedLog) when createTopic resolves.
   */
  private async untilServed(name: string, partitions: number): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (;;) {
      try {
        if ((await this.client.offsets(name)).length === partitions) return;
      } catch (e) {
        if (Date.now() > deadline) throw mapKafkaError(e, { topic: name });
      }
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call('delete a topic', name, () => this.client.deleteTopic(name));
    this.partitions.delete(name);
    this.fetched.forget(name);
    await this.untilListedNoMore(name);
  }

  /**
   * Kafka answers DeleteTopics before every broker's metadata has dropped the topic (a listing
   * right after can still name it); wait until it does, as a deleted topic on EmbeddedLog is gone
   * at once. Gives up quietly after TOPIC_READY_TIMEOUT_MS: the deletion itself was accepted.
   */
  private async untilListedNoMore(name: string): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    while (Date.now() < deadline && (await this.client.listTopics().catch(() => [name])).includes(name)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async listTopics(): Promise<string[]> {
    return (await this.call('list topics', undefined, () => this.client.listTopics())).sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    return this.retrying(() => this.describeOnce(name));
  }

  /**
   * Runs a read that may meet a retriable broker error (a topic another client just created has
   * no leader everywhere yet; a leader moved) again with backoff, for up to TOPIC_READY_TIMEOUT_MS.
   */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        return await work();
      } catch (e) {
        if (!(e instanceof KafkaError && e.retriable) || Date.now() > deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private describeOnce(name: string): Promise<TopicDescription> {
    return this.call('describe a topic', name, async () => {
      const partitions = await this.partitionCount(name);
      const [raw, offsets] = await Promise.all([this.client.topicConfig(name), this.client.offsets(name)]);
      const number = (key: string) => (raw[key] === undefined || Number(raw[key]) < 0 ? undefined : Number(raw[key]));
      const config: TopicConfig = { partitions, cleanupPolicy: raw['cleanup.policy']?.includes('compact') ? 'compact' : 'delete' };
      for (const [field, key] of [['retentionMs', 'retention.ms'], ['retentionBytes', 'retention.bytes'], ['segmentBytes', 'segment.bytes'], ['deleteRetentionMs', 'delete.retention.ms']] as const) {
        const value = number(key);
        if (value !== undefined) config[field] = value;
      }
      return { name, config, partitions: offsets.map((o) => ({ partition: o.partition, startOffset: o.low, endOffset: o.high })) };
    });
  }

  /** Groups records per partition (Kafka's partitioner, computed here) and validates them all first. */
  async plan(records: ProducerRecord[]): Promise<{ batches: PartitionBatch[]; place: (baseOffsets: number[]) => RecordMetadata[] }> {
    if (!Array.isArray(records)) throw new InvalidRecordError('produce expects an array of records');
    // Partition counts first, one await per topic: the loop over records stays synchronous.
    const topics = [...new Set(records.map((r) => r.topic))];
    const counts = new Map(await Promise.all(topics.map(async (t) => [t, await this.partitionCount(t)] as const)));
    const batches = new Map<string, PartitionBatch & { indices: number[] }>();
    const nullKeyPartition = this.sticky.forCall();
    const now = Date.now();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const count = counts.get(r.topic)!;
      checkRecordFields(r, i, r.topic);
      let partition: number;
      if (r.partition !== undefined) partition = partitionIn(r.topic, r.partition, count);
      else if (r.key !== null) partition = partitionForKey(r.key, count);
      else partition = nullKeyPartition(r.topic, count);
      const id = `${r.topic}\u0000${partition}`;
      let batch = batches.get(id);
      if (batch === undefined) batches.set(id, (batch = { topic: r.topic, partition, messages: [], indices: [] }));
      batch.messages.push({ key: r.key, value: r.value, timestamp: r.timestamp ?? now, headers: r.headers ?? {} });
      batch.indices.push(i);
    }
    const list = [...batches.values()];
    return {
      batches: list,
      place: (baseOffsets) => {
        const metadata = new Array<RecordMetadata>(records.length);
        list.forEach((b, n) => b.indices.forEach((index, k) => (metadata[index] = { topic: b.topic, partition: b.partition, offset: baseOffsets[n]! + k })));
        return metadata;
      },
    };
  }

  async produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return this.call('produce', records[0]?.topic, async () => {
      const { batches, place } = await this.plan(records);
      return place(batches.length === 0 ? [] : await this.client.produce(batches));
    });
  }

  async fetch(req: FetchRequest): Promise<LogRecord[]> {
    return this.retrying(() => this.fetchOnce(req));
  }

  private fetchOnce(req: FetchRequest): Promise<LogRecord[]> {
    return this.call('fetch', req.topic, async () => {
      const partition = await this.checkPartition(req.topic, req.partition);
      const { maxRecords, readCommitted } = fetchOptions(req);
      if (!Number.isInteger(req.offset) || req.offset < 0) throw await this.outOfRange(req.topic, partition, req.offset);
      const buffered = this.fetched.take(req.topic, partition, readCommitted, req.offset, maxRecords);
      if (buffered !== undefined) return buffered;
      try {
        const messages = await this.client.fetch(req.topic, partition, req.offset, readCommitted, this.fetchMaxBytes);
        const records = messages.map((m): LogRecord => ({ topic: req.topic, partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp, headers: m.headers }));
        return this.fetched.split(req.topic, partition, readCommitted, records, maxRecords);
      } catch (e) {
        if ((e as { type?: string }).type === 'OFFSET_OUT_OF_RANGE') throw await this.outOfRange(req.topic, partition, req.offset);
        throw e;
      }
    });
  }

  private async outOfRange(topic: string, partition: number, offset: number): Promise<OffsetOutOfRangeError> {
    const range = (await this.client.offsets(topic)).find((o) => o.partition === partition);
    return new OffsetOutOfRangeError(topic, partition, offset, range?.low ?? 0, range?.high ?? 0);
  }

  async transaction(transactionalId: string): Promise<LogTransaction> {
    await this.ready('begin a transaction');
    if (typeof transactionalId !== 'string' || transactionalId.length === 0) throw new InvalidConfigError('transactionalId', 'must be a non-empty string');
    const epoch = (this.epochs.get(transactionalId) ?? 0) + 1;
    this.epochs.set(transactionalId, epoch);
    let entry = this.producers.get(transactionalId);
    if (entry?.open !== undefined) {
      // The older transaction is still open: a new producer fences it at the broker, as a
      // restarted instance would; the old producer is retired.
      this.retired.push(entry.producer);
      entry = undefined;
    }
    if (entry === undefined) {
      const producer = await this.call('begin a transaction', undefined, () => this.client.transactionalProducer(transactionalId));
      entry = { producer, open: undefined };
      this.producers.set(transactionalId, entry);
    }
    let begun: ClientTransaction;
    try {
      begun = await entry.producer.begin();
    } catch {
      // A producer left in a bad state (e.g. its abort failed after a fence) cannot begin again:
      // replace it, as Kafka clients must after a fatal transactional error.
      this.retired.push(entry.producer);
      const producer = await this.call('begin a transaction', undefined, () => this.client.transactionalProducer(transactionalId));
      entry = { producer, open: undefined };
      this.producers.set(transactionalId, entry);
      begun = await this.call('begin a transaction', undefined, () => producer.begin());
    }
    const txn = new KafkaTransaction(this, transactionalId, epoch, begun);
    entry.open = txn;
    return txn;
  }

  lastStableOffset(topic: string, partition: number): Promise<number> {
    return this.retrying(() => this.call('read the last stable offset', topic, async () => this.client.lastStableOffset(topic, await this.checkPartition(topic, partition))));
  }

  async releaseTransactionalId(transactionalId: string): Promise<void> {
    const entry = this.producers.get(transactionalId);
    if (entry === undefined) return;
    this.producers.delete(transactionalId);
    // Bump the epoch too: a transaction object still held by the closed task is fenced here.
    this.epochs.set(transactionalId, (this.epochs.get(transactionalId) ?? 0) + 1);
    await entry.open?.abortNow().catch(() => undefined);
    await entry.producer.disconnect().catch(() => undefined);
  }

  producerFenced(transactionalId: string, epoch: number): void {
    const entry = this.producers.get(transactionalId);
    if (entry === undefined || !this.isCurrent(transactionalId, epoch)) return;
    // A kafkajs producer keeps its fenced epoch; begin() would still succeed and every write
    // fail. Retire it so the next transaction(id) makes a new producer (new epoch, InitProducerId).
    this.retired.push(entry.producer);
    this.producers.delete(transactionalId);
  }

  isCurrent(transactionalId: string, epoch: number): boolean {
    return this.epochs.get(transactionalId) === epoch;
  }

  finished(transactionalId: string, epoch: number): void {
    const entry = this.producers.get(transactionalId);
    if (entry?.open !== undefined && this.isCurrent(transactionalId, epoch)) entry.open = undefined;
  }

  /**
   * Waits until each partition's last stable offset has moved past the transaction's first offset
   * there, i.e. its commit marker is written. If an older open transaction holds the partition's
   * LSO below ours, readers could not see our records yet on any backend: no wait.
   */
  async awaitMarkers(firstOffsets: ReadonlyMap<string, { topic: string; partition: number; offset: number }>): Promise<void> {
    const deadline = Date.now() + VISIBILITY_TIMEOUT_MS;
    for (const { topic, partition, offset } of firstOffsets.values()) {
      while (Date.now() < deadline) {
        const lso = await this.client.lastStableOffset(topic, partition);
        if (lso !== offset) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  }

  async validateOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    if (!Array.isArray(offsets)) throw new InvalidConfigError('offsets', 'expected an array');
    for (const o of offsets) {
      await this.checkPartition(o.topic, o.partition);
      checkCommitOffset(o);
    }
  }

  async commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await this.call('commit offsets', offsets[0]?.topic, async () => {
      await this.validateOffsets(offsets);
      const member = this.members.get(groupId);
      if (member !== undefined) {
        await member.commitOffsets(offsets);
        return;
      }
      for (const topic of new Set(offsets.map((o) => o.topic))) {
        await this.client.commitOffsets(groupId, topic, offsets.filter((o) => o.topic === topic));
      }
    });
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.retrying(() => this.call('read committed offsets', topic, async () => {
      await this.partitionCount(topic);
      const committed = await this.client.committedOffsets(groupId, topic);
      return committed.sort((a, b) => a.partition - b.partition).map((c) => ({ topic, partition: c.partition, offset: c.offset }));
    }));
  }

  async groupLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    return this.retrying(() => this.call('compute group lag', topic, async () => {
      await this.partitionCount(topic);
      const [committed, offsets] = await Promise.all([this.client.committedOffsets(groupId, topic), this.client.offsets(topic)]);
      return offsets.map((o) => {
        const c = committed.find((x) => x.partition === o.partition)?.offset ?? null;
        return { topic, partition: o.partition, committedOffset: c, endOffset: o.high, lag: o.high - (c ?? o.low) };
      });
    }));
  }

  /**
   * Joins a Kafka consumer group (membership only; records come through fetch). Assignment keeps
   * co-partitioned topics together. kafkajs rebalances eagerly, so a member learns what it lost
   * when the new assignment arrives: by then another member may own those partitions, which is
   * why exactly_once relies on per-task transactional ids fencing the old owner.
   */
  async joinGroup(groupId: string, options: JoinGroupOptions): Promise<GroupMember> {
    await this.ready('join a group');
    for (const topic of options.topics) await this.partitionCount(topic);
    let current: TopicPartition[] = [];
    const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
    const member = await this.call('join a group', options.topics[0], () =>
      this.client.joinGroup(groupId, options.topics, async (assignment) => {
        const next = new Set(assignment.map(key));
        const before = new Set(current.map(key));
        const revoked = current.filter((tp) => !next.has(key(tp)));
        const added = assignment.filter((tp) => !before.has(key(tp)));
        if (revoked.length > 0) await options.onPartitionsRevoked?.(revoked);
        current = assignment;
        // A member that only lost partitions is told too (with none): the rebalance is over for it.
        if (added.length > 0 || revoked.length > 0) await options.onPartitionsAssigned?.(added);
      }),
    );
    this.members.set(groupId, member);
    return {
      groupId,
      get memberId() {
        return member.memberId;
      },
      assignment: () => [...current],
      leave: async () => {
        if (current.length > 0) await options.onPartitionsRevoked?.(current);
        current = [];
        this.members.delete(groupId);
        await member.leave();
      },
    };
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.call('describe a group', undefined, async () => {
      const members = await this.client.describeGroup(groupId);
      return { groupId, generation: -1, members: members.sort((a, b) => a.memberId.localeCompare(b.memberId)) };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fetched.clear();
    for (const { producer, open } of this.producers.values()) {
      await open?.abortNow().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }
    for (const producer of this.retired) await producer.disconnect().catch(() => undefined);
    for (const member of this.members.values()) await member.leave().catch(() => undefined);
    if (this.connected !== undefined) await this.client.disconnect();
  }
}

function partitionIn(topic: string, partition: unknown, count: number): number {
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new UnknownPartitionError(topic, partition as number, count);
  }
  return partition;
}
