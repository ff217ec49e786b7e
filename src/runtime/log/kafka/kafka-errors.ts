import { TributaryError } from '../../../errors/tributary-error.js';
import { ProducerFencedError, UnknownTopicError } from '../errors.js';

/** A Kafka error with no closer Tributary equivalent; `kafkaType` is Kafka's error name. */
export class KafkaError extends TributaryError {
  constructor(readonly kafkaType: string, message: string, cause: unknown, retriable: boolean) {
    super('KAFKA_ERROR', `Kafka error ${kafkaType}: ${message}`, { cause, retriable });
  }
}

/** Maps a client error to the exported error classes shared with EmbeddedLog. */
export function mapKafkaError(e: unknown, context: { topic?: string; transactionalId?: string }): unknown {
  if (e instanceof TributaryError) return e;
  const type = (e as { type?: string }).type ?? (e as { name?: string }).name ?? 'UNKNOWN';
  const message = (e as Error).message ?? String(e);
  // INVALID_TXN_STATE: the coordinator moved this producer's transaction on (aborted it for a newer
  // epoch, or timed it out); like a fence, this producer cannot continue and the task starts over
  // from its last commit with a new one.
  if ((type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || type === 'INVALID_TXN_STATE' || /fenced/i.test(message)) && context.transactionalId !== undefined) {
    return new ProducerFencedError(context.transactionalId);
  }
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && context.topic !== undefined) return new UnknownTopicError(context.topic);
  // UNKNOWN (UNKNOWN_SERVER_ERROR) from a transaction call, seen on EndTxn on a loaded broker: the
  // outcome is not known. Retriable: the engine restarts the tasks from their last commit with new
  // producers, whose initialization settles the pending transaction first (safe for exactly_once).
  const unknownInTransaction = type === 'UNKNOWN' && context.transactionalId !== undefined;
  return new KafkaError(type, message, e, unknownInTransaction || lostSequence(e) || isRetriable(e));
}

/** Errors after which a producer's sequence numbers no longer match the broker's. */
const LOST_SEQUENCE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']);

/**
 * Whether the broker refused the producer's sequence numbers. Retriable: the plain producer is
 * replaced at once, and a transactional one goes with its tasks when they start over.
 */
export function lostSequence(e: unknown): boolean {
  for (const err of causeChain(e)) if (LOST_SEQUENCE.has(err.type ?? '')) return true;
  return false;
}

/**
 * Whether trying again later may succeed: the client says so, or it gave up retrying an error that
 * was itself retriable (a broker that is down until its partitions get new leaders).
 */
function isRetriable(e: unknown): boolean {
  for (const err of causeChain(e)) {
    if (err.retriable === true || err.name === 'KafkaJSConnectionError' || err.name === 'KafkaJSConnectionClosedError' || err.name === 'KafkaJSRequestTimeoutError') return true;
    if (err.name !== 'KafkaJSNumberOfRetriesExceeded' && err.name !== 'KafkaJSNonRetriableError') return false;
  }
  return false;
}

/** The error and the causes it wraps (kafkajs wraps a client error once or twice), outermost first. */
function* causeChain(e: unknown): Generator<{ type?: string; name?: string; retriable?: boolean }> {
  for (let at = e, depth = 0; at !== undefined && at !== null && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
    yield at as { type?: string; name?: string; retriable?: boolean };
  }
}
