/**
 * Tributary's public entry point. Anything not exported here is internal.
 */
export { TributaryError } from './errors/tributary-error.js';
export {
  CorruptRecordError,
  InvalidConfigError,
  InvalidRecordError,
  InvalidTopicError,
  LogClosedError,
  LogLockedError,
  OffsetOutOfRangeError,
  ProducerFencedError,
  CommitFailedError,
  TopicAlreadyExistsError,
  TransactionStateError,
  UnknownPartitionError,
  UnknownTopicError,
} from './runtime/log/errors.js';
export type {
  FetchRequest,
  GroupDescription,
  GroupMember,
  GroupRebalanceListener,
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
} from './runtime/log/partitioned-log.js';
export { EmbeddedLog } from './runtime/log/embedded-log.js';
export { KafkaLog } from './runtime/log/kafka/kafka-log.js';
export type { KafkaLogOptions } from './runtime/log/kafka/kafka-log.js';
export { KafkaError } from './runtime/log/kafka/kafka-errors.js';
export type { KafkaClient } from './runtime/log/kafka/kafka-client.js';
export type { EmbeddedLogOptions, FsyncPolicy, LogDamage, MaintenanceResult } from './runtime/log/embedded-log.js';
export type { DumpedBatch, SegmentDump } from './runtime/log/segment-dump.js';
export { murmur2 } from './runtime/log/murmur2.js';

// Serdes
export type { Serde } from './serdes/serde.js';
export { Serdes } from './serdes/serdes.js';
export { SerializationError } from './serdes/serialization-error.js';
export type { RecordLocation } from './serdes/serialization-error.js';

// Processor API
export { StreamRecord } from './processor/stream-record.js';
export type { Headers } from './processor/stream-record.js';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  Punctuator,
  RecordMetadata as ProcessorRecordMetadata,
} from './processor/processor.js';
export { Topology } from './processor/topology.js';
export type { SinkOptions, SourceOptions } from './processor/topology.js';
export type { ConsumedRecord, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './processor/topology-nodes.js';
export { TopologyError } from './processor/topology-error.js';
export { InvalidTimestampError } from './processor/internals/task-executor.js';
export { TopologyTestDriver } from './processor/test-driver/topology-test-driver.js';
export type { TopologyTestDriverConfig } from './processor/test-driver/topology-test-driver.js';
export { TestInputTopic } from './processor/test-driver/test-input-topic.js';
export { TestOutputTopic } from './processor/test-driver/test-output-topic.js';
export type { TestRecord } from './processor/test-driver/test-output-topic.js';

// DSL
export { StreamsBuilder } from './dsl/streams-builder.js';
export { KStream } from './dsl/kstream.js';
export { BranchedKStream } from './dsl/branched-kstream.js';
export type { Branched } from './dsl/branched-kstream.js';
export { Named } from './dsl/options.js';
export type { Consumed, Printed, ProcessOptions, Produced, Repartitioned } from './dsl/options.js';

// Engine
export { StreamsApp } from './runtime/engine/streams-app.js';
export type { StateListener } from './runtime/engine/streams-app.js';
export type { DeserializationExceptionHandler, StreamsConfig, UncaughtExceptionResponse } from './runtime/engine/streams-config.js';
export type { StreamsMetrics } from './runtime/engine/streams-metrics.js';
export { StreamsStateError } from './runtime/engine/streams-state.js';
export { ThreadGoneError } from './runtime/engine/threads/thread-gone-error.js';
export type { StreamsState } from './runtime/engine/streams-state.js';

// State stores
export type { KeyValue, StateStore, StateStoreContext, StoreBuilder } from './state/state-store.js';
export type { KeyValueStore, ReadOnlyKeyValueStore } from './state/key-value-store.js';
export type { ReadOnlyWindowStore, WindowStore } from './state/window-store.js';
export type { ReadOnlySessionStore, SessionStore } from './state/session-store.js';
export { Stores } from './state/stores.js';
export type { SessionStoreOptions, StoreOptions, WindowStoreOptions } from './state/stores.js';
export { StateStoreError, StoreNotReadyError } from './state/state-store-error.js';
export { InvalidStoreOptionsError } from './state/invalid-store-options-error.js';
export type { TimeWindow, Windowed } from './serdes/windowed.js';
export { KTable } from './dsl/ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { TimeWindowedKStream } from './dsl/time-windowed-kstream.js';
export { SessionWindowedKStream } from './dsl/session-windowed-kstream.js';
export { SlidingWindowedKStream } from './dsl/sliding-windowed-kstream.js';
export { SessionWindows, SlidingWindows, TimeWindows } from './dsl/windows.js';
export { JoinWindows } from './dsl/join-windows.js';
export type { Joined, StreamJoined } from './dsl/joined.js';
export type { ValueJoiner, ValueJoinerWithKey } from './processor/joins/value-joiner.js';
export { Suppressed, type SuppressBufferLimits } from './dsl/suppressed.js';
export { SuppressBufferFullError } from './processor/stateful/suppress-buffer-full-error.js';
export type { Grouped, Materialized } from './dsl/materialized.js';
export type { Aggregator } from './processor/stateful/stream-aggregate.js';
export type { Merger } from './processor/stateful/session-window-aggregate.js';
export type { Change } from './processor/stateful/change.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { GlobalKTable } from './dsl/global-ktable.js';
