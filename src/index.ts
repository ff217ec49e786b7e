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
export type { EmbeddedLogOptions, FsyncPolicy, LogDamage, MaintenanceResult } from './runtime/log/embedded-log.js';
export { murmur2 } from './runtime/log/murmur2.js';
