import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '../log/errors.js';
import { checkFolderPath, checkMilliseconds, checkOptionalFunction } from '../log/request-checks.js';
import type { PartitionedLog } from '../log/partitioned-log.js';
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';

/** What to do with a record whose bytes the source serdes cannot decode. */
export type DeserializationExceptionHandler =
  /** Stop the application with the SerializationError (default). */
  | 'fail'
  /** Log it, count it in metrics().skippedRecords, and go on. */
  | 'continue'
  /** Write the original bytes to this topic with error headers, and go on. */
  | { deadLetterTopic: string };

/** What to do when processing throws. Kafka Streams equivalent: `StreamsUncaughtExceptionHandler`. */
export type UncaughtExceptionResponse = 'replace_thread' | 'shutdown_client';

export type StreamsConfig = {
  /** Names the consumer group, transactional ids and internal topics. */
  applicationId: string;
  log: PartitionedLog;
  /** Folder of LevelDB state stores, one subfolder per application and task. Default `<os tmpdir>/tributary-streams`, as Kafka Streams' /tmp/kafka-streams. */
  stateDir?: string;
  processingGuarantee?: 'at_least_once' | 'exactly_once';
  /** Default 100 ms under exactly_once, 30 s under at_least_once (as Kafka Streams). */
  commitIntervalMs?: number;
  /** Serdes used where an operator needs one and none was given (default JSON). */
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** Default: 'shutdown_client' (the app goes to ERROR). 'replace_thread' restarts processing from the last commit. */
  uncaughtExceptionHandler?: (error: unknown) => UncaughtExceptionResponse;
  /** Records fetched per partition per poll (Kafka's max.poll.records). Default 500. */
  maxPollRecords?: number;
  /** How long the loop waits when there was nothing to process, in ms. Default 2. */
  pollIntervalMs?: number;
  /**
   * How long the app keeps recovering from retriable log errors (a broker down until its
   * partitions move) before it goes to ERROR, in ms. Each recovery drops uncommitted work and
   * restarts the tasks from their last commit. Default 300 000 (Kafka Streams' task.timeout.ms).
   */
  taskTimeoutMs?: number;
  /** Wall clock, injectable for tests. */
  clock?: () => number;
  /**
   * Stream threads: worker threads that split the app's tasks, for more than one core (Kafka
   * Streams' num.stream.threads). Default 1: the app runs in the calling thread. More than 1
   * needs `StreamsApp.fromModule`, since each worker builds its own topology from the module.
   */
  numStreamThreads?: number;
};

export type ResolvedStreamsConfig = Required<Omit<StreamsConfig, 'uncaughtExceptionHandler'>> & {
  uncaughtExceptionHandler: (error: unknown) => UncaughtExceptionResponse;
};

/** An optional serde: an object with serialize and deserialize functions. */
function optionalSerde(option: string, value: unknown): void {
  const serde = value as Partial<Serde<unknown>> | undefined;
  if (value !== undefined && (typeof serde?.serialize !== 'function' || typeof serde.deserialize !== 'function')) {
    throw new InvalidConfigError(option, 'expected a Serde (an object with serialize and deserialize functions)');
  }
}

export function resolveStreamsConfig(config: StreamsConfig): ResolvedStreamsConfig {
  if (typeof config.applicationId !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(config.applicationId)) {
    throw new InvalidConfigError('applicationId', 'must be a non-empty string of letters, digits, ".", "_" and "-"');
  }
  if (typeof config.log?.fetch !== 'function' || typeof config.log.produce !== 'function') {
    throw new InvalidConfigError('log', 'a PartitionedLog (EmbeddedLog or KafkaLog) is required');
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') {
    throw new InvalidConfigError('processingGuarantee', `expected "at_least_once" or "exactly_once", got ${String(guarantee)}`);
  }
  const commitIntervalMs = config.commitIntervalMs ?? (guarantee === 'exactly_once' ? 100 : 30_000);
  checkMilliseconds('commitIntervalMs', commitIntervalMs);
  const maxPollRecords = config.maxPollRecords ?? 500;
  if (!Number.isInteger(maxPollRecords) || maxPollRecords < 1) throw new InvalidConfigError('maxPollRecords', `expected an integer >= 1, got ${maxPollRecords}`);
  if (config.taskTimeoutMs !== undefined) checkMilliseconds('taskTimeoutMs', config.taskTimeoutMs);
  if (config.pollIntervalMs !== undefined) checkMilliseconds('pollIntervalMs', config.pollIntervalMs);
  if (config.stateDir !== undefined) checkFolderPath('stateDir', config.stateDir);
  checkOptionalFunction('uncaughtExceptionHandler', config.uncaughtExceptionHandler);
  checkOptionalFunction('clock', config.clock);
  optionalSerde('defaultKeySerde', config.defaultKeySerde);
  optionalSerde('defaultValueSerde', config.defaultValueSerde);
  const numStreamThreads = config.numStreamThreads ?? 1;
  if (!Number.isInteger(numStreamThreads) || numStreamThreads < 1) throw new InvalidConfigError('numStreamThreads', `expected an integer >= 1, got ${numStreamThreads}`);
  const handler = config.deserializationExceptionHandler ?? 'fail';
  if (handler !== 'fail' && handler !== 'continue' && typeof handler?.deadLetterTopic !== 'string') {
    throw new InvalidConfigError('deserializationExceptionHandler', 'expected "fail", "continue" or { deadLetterTopic }');
  }
  return {
    applicationId: config.applicationId,
    log: config.log,
    stateDir: config.stateDir ?? join(tmpdir(), 'tributary-streams'),
    processingGuarantee: guarantee,
    commitIntervalMs,
    defaultKeySerde: config.defaultKeySerde ?? Serdes.json(),
    defaultValueSerde: config.defaultValueSerde ?? Serdes.json(),
    deserializationExceptionHandler: handler,
    uncaughtExceptionHandler: config.uncaughtExceptionHandler ?? (() => 'shutdown_client'),
    maxPollRecords,
    pollIntervalMs: config.pollIntervalMs ?? 2,
    taskTimeoutMs: config.taskTimeoutMs ?? 300_000,
    clock: config.clock ?? Date.now,
    numStreamThreads,
  };
}
