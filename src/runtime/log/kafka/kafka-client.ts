/**
 * The few Kafka operations KafkaLog needs, so that a client other than kafkajs (for instance
 * @confluentinc/kafka-javascript) can be put behind KafkaLog without touching it or the engine.
 * Offsets are numbers here (they stay far below 2^53 in practice); clients convert.
 */

/** Records for one partition, sent as one batch, so their offsets are consecutive from baseOffset. */
export type PartitionBatch = {
  topic: string;
  partition: number;
  messages: { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Record<string, Buffer> }[];
};

export type FetchedMessage = { offset: number; key: Buffer | null; value: Buffer | null; timestamp: number; headers: Record<string, Buffer> };

export type PartitionOffsets = { partition: number; low: number; high: number };

export interface KafkaClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** False when the topic already exists. `replicationFactor` undefined: the broker's default.replication.factor. */
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<boolean>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Null for an unknown topic. */
  partitionCount(topic: string): Promise<number | null>;
  topicConfig(topic: string): Promise<Record<string, string>>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Base offset of each batch, in order. */
  produce(batches: PartitionBatch[]): Promise<number[]>;
  /** Records from `offset`, aborted and control records removed under read_committed. */
  fetch(topic: string, partition: number, offset: number, readCommitted: boolean, maxBytes: number): Promise<FetchedMessage[]>;
  /** The partition's last stable offset: read_committed readers see offsets below it. */
  lastStableOffset(topic: string, partition: number): Promise<number>;
  committedOffsets(groupId: string, topic: string): Promise<{ partition: number; offset: number }[]>;
  commitOffsets(groupId: string, topic: string, offsets: { partition: number; offset: number }[]): Promise<void>;
  /**
   * Joins a consumer group for membership only (this client does not fetch through it):
   * partition p of every topic goes to the same member. `onAssignment` gets each new assignment,
   * in order; the promise resolves after the first one was handled.
   */
  joinGroup(groupId: string, topics: string[], onAssignment: (assignment: { topic: string; partition: number }[]) => Promise<void>): Promise<ClientGroupMember>;
  describeGroup(groupId: string): Promise<{ memberId: string; assignment: { topic: string; partition: number }[] }[]>;
  /** A producer holding `transactionalId`; making it fences any older producer of that id. */
  transactionalProducer(transactionalId: string): Promise<TransactionalProducer>;
}

export interface TransactionalProducer {
  begin(): Promise<ClientTransaction>;
  disconnect(): Promise<void>;
}

export interface ClientTransaction {
  produce(batches: PartitionBatch[]): Promise<number[]>;
  sendOffsets(groupId: string, offsets: { topic: string; partition: number; offset: number }[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ClientGroupMember {
  readonly memberId: string;
  commitOffsets(offsets: { topic: string; partition: number; offset: number }[]): Promise<void>;
  leave(): Promise<void>;
}
