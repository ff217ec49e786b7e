import type { Serde } from '../serdes/serde.js';
import type { ProcessorSupplier } from './processor.js';
import type { Headers } from './stream-record.js';

/** The record a timestamp extractor sees: deserialized key and value plus where it came from. */
export type ConsumedRecord<K, V> = { key: K; value: V; timestamp: number; topic: string; partition: number; offset: number; headers: Headers };

/**
 * Picks a record's event time. Kafka Streams equivalent: `TimestampExtractor`.
 * `partitionTime` is the largest timestamp seen on the record's partition so far (-1 at first).
 */
export type TimestampExtractor<K = unknown, V = unknown> = (record: ConsumedRecord<K, V>, partitionTime: number) => number;

/** Chooses the topic of each output record. Kafka Streams equivalent: `TopicNameExtractor`. */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: { topic: string; partition: number; offset: number } | null) => string;

/**
 * Chooses the partition of each output record; undefined means "the default partitioner".
 * Kafka Streams equivalent: `StreamPartitioner`.
 */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, partitions: number) => number | undefined;

export type SourceNode = {
  kind: 'source';
  name: string;
  topics: string[] | RegExp;
  keySerde: Serde<unknown> | undefined;
  valueSerde: Serde<unknown> | undefined;
  timestampExtractor: TimestampExtractor | undefined;
};

export type ProcessorNode = {
  kind: 'processor';
  name: string;
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  parents: string[];
  stores: string[];
};

export type SinkNode = {
  kind: 'sink';
  name: string;
  topic: string | TopicNameExtractor<unknown, unknown>;
  keySerde: Serde<unknown> | undefined;
  valueSerde: Serde<unknown> | undefined;
  partitioner: StreamPartitioner<unknown, unknown> | undefined;
  parents: string[];
};

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/** A group of nodes connected by parent links; it becomes one task per input partition. */
export type Subtopology = {
  id: number;
  nodes: TopologyNode[];
  /** Topic names (internal ones unprefixed) this sub-topology reads; RegExps are resolved at start. */
  sourceTopics: string[];
  sourcePatterns: RegExp[];
  sinkTopics: string[];
  stores: string[];
};
