import kafkajs, { type Admin, type Kafka, type KafkaConfig } from 'kafkajs';

// kafkajs is CommonJS; Node's ESM loader cannot see all of its named exports, so take them from the default.
const { AssignerProtocol, ConfigResourceTypes, Kafka: KafkaClass, logLevel } = kafkajs;
import { visibleMessages, type AbortedTransaction, type RawMessage } from './read-committed-filter.js';
import { coPartitionAssigner } from './co-partition-assigner.js';
import { PartitionSends } from './partition-sends.js';
import { ProducerPool } from './producer-pool.js';
import type { ClientGroupMember, ClientTransaction, FetchedMessage, KafkaClient, PartitionBatch, PartitionOffsets, TransactionalProducer } from './kafka-client.js';

/** The slice of kafkajs' internal Cluster and Broker objects used for random-access fetches. */
type InternalBroker = { fetch(request: unknown): Promise<{ responses: { partitions: unknown[] }[] }> };
type InternalCluster = {
  /** Topics kafkajs keeps metadata for; every refresh asks for all of them. */
  targetTopics: Set<string>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<InternalBroker>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  refreshMetadata(): Promise<void>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
};

const READ_COMMITTED = 1;
const READ_UNCOMMITTED = 0;
/**
 * Retries of a produce request: ~35 s in all (0.3, 0.6, 1.2, 2.4, 4.8, then 5 s apart). Every field
 * is set: under NODE_ENV=test (vitest, jest) kafkajs' defaults shrink to ~12 s of 50 ms–1 s waits.
 */
const PRODUCE_RETRY = { initialRetryTime: 300, factor: 0.2, multiplier: 2, maxRetryTime: 5_000, retries: 10 };
/** Fetches in a row that may skip responses holding only aborted records. */
const MAX_SKIP_ROUNDS = 100;

function headersOf(raw: RawMessage['headers']): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  if (raw === undefined) return out;
  for (const [name, v] of Object.entries(raw)) {
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[name] = Buffer.isBuffer(last) ? last : Buffer.from(last);
  }
  return out;
}

/** KafkaClient on kafkajs 2.2. */
export class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producers: ProducerPool;
  private readonly sends = new PartitionSends();
  private readonly cluster: InternalCluster;
  private readonly targetTopics = new Set<string>();
  private readonly brokers = new Map<string, Promise<InternalBroker>>();
  private metadataLock: Promise<void> = Promise.resolve();
  /** Per broker: resolves once its fetch connection is open. */
  private readonly fetchConnections = new Map<string, Promise<void>>();

  constructor(
    config: KafkaConfig,
    private readonly sessionTimeoutMs = 10_000,
  ) {
    this.kafka = new KafkaClass({ logLevel: logLevel.NOTHING, ...config });
    this.admin = this.kafka.admin();
    const create = Object.getOwnPropertySymbols(this.kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (create === undefined) throw new Error('This kafkajs version has no internal cluster factory; KafkaLog needs kafkajs 2.2.x');
    const factory = (this.kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[create]!;
    // read_uncommitted: offset lookups answer the log end offset (as EmbeddedLog's endOffset),
    // not the last stable offset that kafkajs' admin reports.
    this.cluster = factory({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
    // kafkajs' default retries (5, ~9 s in all) end about when KRaft notices a dead broker (9 s), so
    // a produce failed during most leader changes; Kafka's producer keeps trying for 2 minutes.
    this.producers = new ProducerPool(() => this.kafka.producer({ idempotent: true, allowAutoTopicCreation: false, retry: PRODUCE_RETRY }));
  }

  async connect(): Promise<void> {
    await Promise.all([this.admin.connect(), this.producers.connect(), this.cluster.connect()]);
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.producers.disconnect(), this.cluster.disconnect()]);
  }

  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<boolean> {
    // Not kafkajs' waitForLeaders: its metadata retries can run out on a cluster that has just
    // started (UNKNOWN_TOPIC_OR_PARTITION for a topic it did create); KafkaLog waits for the
    // partitions' leaders itself (untilServed).
    return this.admin.createTopics({
      waitForLeaders: false,
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: replicationFactor ?? -1, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.admin.deleteTopics({ topics: [name] });
    this.forget(name);
  }

  /** A deleted topic left in kafkajs' metadata targets makes every later refresh fail. */
  private forget(topic: string): void {
    this.targetTopics.delete(topic);
    this.cluster.targetTopics.delete(topic);
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
  }

  async partitionCount(topic: string): Promise<number | null> {
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length ?? null;
    } catch (e) {
      if ((e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return null;
      throw e;
    }
  }

  async topicConfig(topic: string): Promise<Record<string, string>> {
    const { resources } = await this.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  }

  offsets(topic: string): Promise<PartitionOffsets[]> {
    return this.refreshingWhenStale(() => this.offsetsOnce(topic));
  }

  private async offsetsOnce(topic: string): Promise<PartitionOffsets[]> {
    await this.metadataFor(topic);
    let metadata = this.cluster.findTopicPartitionMetadata(topic);
    // Metadata of a topic created a moment ago may not list its partitions yet: ask again
    // rather than report a topic with no partitions.
    for (let attempt = 0; metadata.length === 0 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await this.cluster.refreshMetadata();
      metadata = this.cluster.findTopicPartitionMetadata(topic);
    }
    const partitions = metadata.map((m) => ({ partition: m.partitionId }));
    const [high, low] = await Promise.all(
      [false, true].map(async (fromBeginning) => (await this.cluster.fetchTopicsOffset([{ topic, partitions, fromBeginning }]))[0]?.partitions ?? []),
    );
    return partitions
      .map(({ partition }) => ({
        partition,
        low: Number(low!.find((o) => o.partition === partition)?.offset ?? 0),
        high: Number(high!.find((o) => o.partition === partition)?.offset ?? 0),
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  produce(batches: PartitionBatch[]): Promise<number[]> {
    return this.sends.sendAll(batches, (request) => this.producers.send(request));
  }

  async fetch(topic: string, partition: number, offset: number, readCommitted: boolean, maxBytes: number): Promise<FetchedMessage[]> {
    let at = offset;
    let visible: RawMessage[] = [];
    // A response may hold only records of aborted transactions: skip past them instead of
    // reporting "caught up" at an offset that would return the same nothing forever.
    for (let round = 0; round < MAX_SKIP_ROUNDS; round++) {
      const data = await this.fetchPartition(topic, partition, at, readCommitted, maxBytes);
      if (data === undefined) return [];
      visible = visibleMessages(data.messages, data.abortedTransactions, at, readCommitted);
      const last = data.messages.at(-1);
      if (visible.length > 0 || last === undefined) break;
      const next = Number(last.offset) + 1;
      if (next >= Number(readCommitted ? data.lastStableOffset : data.highWatermark)) break;
      at = next;
    }
    return visible.map((m) => ({
      offset: Number(m.offset),
      key: m.key,
      value: m.value,
      timestamp: Number(m.timestamp),
      headers: headersOf(m.headers),
    }));
  }

  async lastStableOffset(topic: string, partition: number): Promise<number> {
    const offsets = await this.offsets(topic);
    const data = await this.fetchPartition(topic, partition, offsets.find((o) => o.partition === partition)?.high ?? 0, true, 1);
    return Number(data?.lastStableOffset ?? 0);
  }

  private fetchPartition(topic: string, partition: number, offset: number, readCommitted: boolean, maxBytes: number) {
    return this.refreshingWhenStale(() => this.fetchPartitionOnce(topic, partition, offset, readCommitted, maxBytes));
  }

  private async fetchPartitionOnce(topic: string, partition: number, offset: number, readCommitted: boolean, maxBytes: number) {
    await this.metadataFor(topic);
    const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    const nodeId = Object.keys(leaders)[0];
    if (nodeId === undefined) throw Object.assign(new Error(`No leader for ${topic}-${partition}`), { type: 'LEADER_NOT_AVAILABLE', retriable: true });
    const broker = await this.broker(nodeId);
    // kafkajs opens a broker's fetch connection lazily, and two requests racing to open it each
    // open a socket, one of which disconnect() never closes. The first fetch per broker runs alone.
    const opened = this.fetchConnections.get(nodeId);
    let release: (() => void) | undefined;
    if (opened === undefined) this.fetchConnections.set(nodeId, new Promise<void>((resolve) => (release = resolve)));
    else await opened;
    const response = await broker.fetch({
      replicaId: -1,
      isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
      maxWaitTime: 0,
      minBytes: 0,
      maxBytes,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes }] }],
    }).finally(() => release?.());
    return response.responses[0]?.partitions[0] as { messages: RawMessage[]; abortedTransactions?: AbortedTransaction[]; lastStableOffset: string; highWatermark: string } | undefined;
  }

  /**
   * Runs a read against partition leaders. kafkajs refreshes this cluster's metadata only when it
   * is five minutes old; after a leader moved, reads would go to the old one until then. A
   * failure that says the leader moved (or its broker is gone) refreshes it for the caller's retry.
   */
  private async refreshingWhenStale<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      if (leaderMoved(e)) await this.refreshMetadata().catch(() => undefined);
      throw e;
    }
  }

  private refreshMetadata(): Promise<void> {
    return this.oneMetadataCallAtATime(() => this.cluster.refreshMetadata());
  }

  /**
   * kafkajs' metadata refreshes are not safe to run side by side (concurrent ones leave broker
   * connections open after disconnect), so they run one at a time.
   */
  private oneMetadataCallAtATime(work: () => Promise<void>): Promise<void> {
    const run = this.metadataLock.then(work);
    this.metadataLock = run.catch(() => undefined);
    return run;
  }

  private metadataFor(topic: string): Promise<void> {
    return this.oneMetadataCallAtATime(async () => {
      try {
        if (!this.targetTopics.has(topic)) {
          await this.cluster.addTargetTopic(topic);
          this.targetTopics.add(topic);
        }
        await this.cluster.refreshMetadataIfNecessary();
      } catch (e) {
        if ((e as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
        // Some target topic was deleted elsewhere: drop the ones that are gone and try again.
        const existing = new Set(await this.admin.listTopics());
        for (const t of [...this.cluster.targetTopics]) if (!existing.has(t)) this.forget(t);
        if (!existing.has(topic)) throw e;
        await this.cluster.addTargetTopic(topic);
        this.targetTopics.add(topic);
        await this.cluster.refreshMetadata();
      }
    });
  }

  /**
   * One findBroker per node: concurrent first calls to kafkajs' findBroker each open a connection
   * and only one is closed on disconnect, which kept the process alive after close().
   */
  private broker(nodeId: string): Promise<InternalBroker> {
    let broker = this.brokers.get(nodeId);
    if (broker === undefined) {
      broker = this.cluster.findBroker({ nodeId });
      broker.catch(() => this.brokers.delete(nodeId));
      this.brokers.set(nodeId, broker);
    }
    return broker;
  }

  async committedOffsets(groupId: string, topic: string): Promise<{ partition: number; offset: number }[]> {
    const result = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (result[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: Number(p.offset) })).filter((p) => p.offset >= 0);
  }

  async commitOffsets(groupId: string, topic: string, offsets: { partition: number; offset: number }[]): Promise<void> {
    await this.admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })) });
  }

  async joinGroup(
    groupId: string,
    topics: string[],
    onAssignment: (assignment: { topic: string; partition: number }[]) => Promise<void>,
  ): Promise<ClientGroupMember> {
    const consumer = this.kafka.consumer({ groupId, partitionAssigners: [coPartitionAssigner], sessionTimeout: this.sessionTimeoutMs, heartbeatInterval: Math.min(500, this.sessionTimeoutMs / 4), rebalanceTimeout: 30_000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    let handled: Promise<void> = Promise.resolve();
    let first: (() => void) | undefined;
    const firstAssignment = new Promise<void>((resolve) => (first = resolve));
    let failure: unknown;
    let memberId = '';
    // Membership only: records are fetched by KafkaLog.fetch, so the group consumer stays paused
    // (paused once the group exists, and any batch that slipped through pauses its partition).
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      memberId = payload.memberId;
      consumer.pause(topics.map((topic) => ({ topic })));
      const assignment = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
      // Assignments are handled one at a time, in the order Kafka hands them out.
      handled = handled.then(() => onAssignment(assignment)).catch((e: unknown) => void (failure ??= e));
      void handled.then(() => first?.());
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async ({ pause }) => void pause() });
    await firstAssignment;
    if (failure !== undefined) throw failure;
    return {
      get memberId() {
        return memberId;
      },
      commitOffsets: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) }))),
      leave: async () => {
        await consumer.disconnect();
        await handled;
      },
    };
  }

  async describeGroup(groupId: string): Promise<{ memberId: string; assignment: { topic: string; partition: number }[] }[]> {
    const { groups } = await this.admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((m) => {
      const decoded = m.memberAssignment.length === 0 ? null : AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      const assignment = Object.entries(decoded?.assignment ?? {}).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
      return { memberId: m.memberId, assignment };
    });
  }

  async transactionalProducer(transactionalId: string): Promise<TransactionalProducer> {
    const producer = this.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const sends = new PartitionSends();
    await producer.connect();
    return {
      begin: async (): Promise<ClientTransaction> => {
        const txn = await producer.transaction();
        return {
          produce: (batches) => sends.sendAll(batches, (request) => txn.sendBatch(request)),
          sendOffsets: (groupId, offsets) => {
            const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
              topic,
              partitions: offsets.filter((o) => o.topic === topic).map((o) => ({ partition: o.partition, offset: String(o.offset) })),
            }));
            return txn.sendOffsets({ consumerGroupId: groupId, topics });
          },
          commit: () => txn.commit(),
          abort: () => txn.abort(),
        };
      },
      disconnect: () => producer.disconnect(),
    };
  }
}

/** Errors saying a read went to a broker that no longer leads the partition, or is gone. */
const LEADER_MOVED = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'REPLICA_NOT_AVAILABLE']);
const BROKER_GONE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

function leaderMoved(e: unknown): boolean {
  const err = e as { type?: string; name?: string };
  return LEADER_MOVED.has(err.type ?? '') || BROKER_GONE.has(err.name ?? '');
}
