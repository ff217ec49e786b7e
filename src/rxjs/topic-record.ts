/** A record read from a topic, key and value deserialized (null where the log holds null). */
export type TopicRecord<K, V> = {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: K | null;
  value: V | null;
  headers: Record<string, Buffer>;
};

/** A record to write to a topic; the log's partitioner places it unless `partition` is given. */
export type RecordToSend<K, V> = {
  key: K | null;
  value: V | null;
  partition?: number;
  timestamp?: number;
  headers?: Record<string, Buffer>;
};
