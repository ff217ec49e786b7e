/**
 * The contract every log backend meets (EmbeddedLog, KafkaLog). Bytes only: serdes live above.
 * The shape follows ../shared/DESIGN.md and is checked by test/contracts/partitioned-log.contract.ts.
 */

/** Per-topic settings. Kafka equivalents: num.partitions, cleanup.policy, retention.ms, … */
export type TopicConfig = {
  /** Number of partitions, >= 1. Default 1. */
  partitions?: number;
  /** 'delete' (default) drops old segments by retention; 'compact' keeps the newest value per key. */
  cleanupPolicy?: 'delete' | 'compact';
  /** Drop whole segments whose newest record is older than this. Default: keep forever. */
  retentionMs?: number;
  /** Drop the oldest segments while the partition is larger than this. Default: no limit. */
  retentionBytes?: number;
  /** Roll to a new segment file past this size. */
  segmentBytes?: number;
  /** How long compaction keeps a tombstone before dropping it (Kafka's delete.retention.ms). */
  deleteRetentionMs?: number;
};

export type TopicDescription = {
  name: string;
  config: TopicConfig;
  partitions: { partition: number; startOffset: number; endOffset: number }[];
};

export type ProducerRecord = {
  topic: string;
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Record<string, Buffer>;
};

export type RecordMetadata = { topic: string; partition: number; offset: number };

export type FetchRequest = {
  topic: string;
  partition: number;
  offset: number;
  /** Upper bound on records returned. */
  maxRecords?: number;
  /** Default 'read_committed': aborted and open-transaction records are never returned. */
  isolation?: 'read_uncommitted' | 'read_committed';
};

export type LogRecord = Required<ProducerRecord> & { offset: number };

/** `offset` is the next offset to read, as in Kafka. */
export type TopicPartitionOffset = { topic: string; partition: number; offset: number };

export type TopicPartition = { topic: string; partition: number };

/** One consumer-group member's view of a rebalance. */
export type GroupRebalanceListener = {
  /** Called before partitions move away; finish and commit work on them before resolving. */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * Called when a rebalance that changed this member's partitions is over, with the partitions it
   * gained (none, when it only lost some): every onPartitionsRevoked of a rebalance is followed by
   * one. (Leaving the group revokes without a call here.)
   */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
};

export type JoinGroupOptions = GroupRebalanceListener & {
  /** Topics this member consumes. Partition number p of every topic goes to the same member. */
  topics: string[];
};

/** A live membership in a consumer group, returned by `joinGroup`. */
export interface GroupMember {
  readonly groupId: string;
  readonly memberId: string;
  /** Partitions currently assigned to this member. */
  assignment(): TopicPartition[];
  /** Leave the group; the remaining members rebalance. */
  leave(): Promise<void>;
}

/** Lag of a group on one partition: `endOffset - committedOffset` (committed 0 when none). */
export type PartitionLag = TopicPartition & { committedOffset: number | null; endOffset: number; lag: number };

export type GroupDescription = {
  groupId: string;
  generation: number;
  members: { memberId: string; assignment: TopicPartition[] }[];
};

export interface LogTransaction {
  produce(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  /**
   * Adds consumed offsets of `groupId` to the transaction. With `memberId`, on a log that
   * `fencesByGroupMembership`, the commit fails with CommitFailedError (and aborts) unless that
   * member still owns every partition named (Kafka's KIP-447, which lets one transactional
   * producer commit for all of a consumer's partitions). Other logs ignore it.
   */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[], memberId?: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface PartitionedLog {
  createTopic(name: string, config?: TopicConfig): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<string[]>;
  describeTopic(name: string): Promise<TopicDescription>;
  produce(records: ProducerRecord[]): Promise<RecordMetadata[]>;
  fetch(req: FetchRequest): Promise<LogRecord[]>;
  transaction(transactionalId: string): Promise<LogTransaction>;
  commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  /** Join a consumer group; resolves once this member has its first assignment. */
  joinGroup(groupId: string, options: JoinGroupOptions): Promise<GroupMember>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Per-partition lag of a group on a topic. */
  groupLag(groupId: string, topic: string): Promise<PartitionLag[]>;
  /**
   * Offset below which every transaction is decided (commit or abort markers written). Only logs
   * where a transaction's offsets can be visible before its records are readable (Kafka) have it;
   * the engine waits on it before restoring a store, so a just-committed transaction is included.
   */
  lastStableOffset?(topic: string, partition: number): Promise<number>;
  /**
   * Drops what the log keeps for a transactional id (Kafka: its producer), so the next
   * transaction(id) starts from scratch and fences every earlier owner at the broker. The engine
   * calls it when the task that owns the id closes.
   */
  releaseTransactionalId?(transactionalId: string): Promise<void>;
  /**
   * True when a transaction's offsets sent with a member id commit only while that member owns
   * their partitions (see LogTransaction.sendOffsets). The engine then runs one transaction per
   * stream thread instead of one per task under exactly_once (Kafka Streams' exactly_once_v2).
   */
  readonly fencesByGroupMembership?: boolean;
  close(): Promise<void>;
}
