import { TributaryError } from '../../errors/tributary-error.js';

/** A topic that does not exist was named. Kafka: `UnknownTopicOrPartitionException`. */
export class UnknownTopicError extends TributaryError {
  constructor(readonly topic: string) {
    super('UNKNOWN_TOPIC', `Topic "${topic}" does not exist`);
  }
}

/** A partition number outside `0 .. partitions-1` was named. */
export class UnknownPartitionError extends TributaryError {
  constructor(readonly topic: string, readonly partition: number, partitions: number) {
    super('UNKNOWN_PARTITION', `Topic "${topic}" has no partition ${partition} (it has ${partitions}: 0..${partitions - 1})`);
  }
}

/** createTopic on a name already in use. Kafka: `TopicExistsException`. */
export class TopicAlreadyExistsError extends TributaryError {
  constructor(readonly topic: string) {
    super('TOPIC_ALREADY_EXISTS', `Topic "${topic}" already exists`);
  }
}

/** A topic name Kafka would reject (empty, too long, or characters outside `[a-zA-Z0-9._-]`). */
export class InvalidTopicError extends TributaryError {
  constructor(readonly topic: string, reason: string) {
    super('INVALID_TOPIC', `Invalid topic name "${topic}": ${reason}`);
  }
}

/** A topic or log option with a value that cannot work, e.g. `partitions: 0`. */
export class InvalidConfigError extends TributaryError {
  constructor(readonly option: string, reason: string, cause?: unknown) {
    super('INVALID_CONFIG', `Invalid value for option "${option}": ${reason}`, { cause });
  }
}

/** A record the log cannot accept (wrong field types, a null key on a compacted topic, …). */
export class InvalidRecordError extends TributaryError {
  constructor(message: string) {
    super('INVALID_RECORD', message);
  }
}

/** A fetch below the log start offset or above the end offset. Kafka: `OffsetOutOfRangeException`. */
export class OffsetOutOfRangeError extends TributaryError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly startOffset: number,
    readonly endOffset: number,
  ) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is out of range for ${topic}-${partition} (valid: ${startOffset}..${endOffset})`,
    );
  }
}

/** Stored bytes failed their checksum or structure check; they are never returned. */
export class CorruptRecordError extends TributaryError {
  constructor(message: string) {
    super('CORRUPT_RECORD', message);
  }
}

/** The log was used after `close()`. */
export class LogClosedError extends TributaryError {
  constructor(operation: string) {
    super('LOG_CLOSED', `Cannot ${operation}: the log is closed`);
  }
}

/** Another process, or another open log in this process, holds the log folder. */
export class LogLockedError extends TributaryError {
  constructor(readonly dir: string, holder: string) {
    super('LOG_LOCKED', `Log folder "${dir}" is in use by ${holder}; close it there first`);
  }
}

/** A newer `transaction(id)` with the same transactional id took over. Kafka: `ProducerFencedException`. */
export class ProducerFencedError extends TributaryError {
  constructor(readonly transactionalId: string) {
    super('PRODUCER_FENCED', `Transactional id "${transactionalId}" was taken over by a newer transaction; this one is fenced`);
  }
}

/** A transaction call not legal in its current state (e.g. produce after commit). */
export class TransactionStateError extends TributaryError {
  constructor(readonly transactionalId: string, operation: string, state: string) {
    super('INVALID_TXN_STATE', `Cannot ${operation} transaction "${transactionalId}": it is ${state}`);
  }
}

/**
 * A transaction's input offsets were sent for a group member that no longer owns one of their
 * partitions (it left the group, or a rebalance moved the partition away). The transaction is
 * aborted. Kafka: `CommitFailedException` from a transactional offset commit of a stale member.
 */
export class CommitFailedError extends TributaryError {
  constructor(readonly groupId: string, readonly memberId: string, readonly topic: string, readonly partition: number) {
    super('COMMIT_FAILED', `Member "${memberId}" of group "${groupId}" no longer owns ${topic}-${partition}; its transaction was aborted`);
  }
}
