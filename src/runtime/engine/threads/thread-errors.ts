import { TributaryError } from '../../../errors/tributary-error.js';
import * as logErrors from '../../log/errors.js';
import { KafkaError } from '../../log/kafka/kafka-errors.js';
import { SerializationError } from '../../../serdes/serialization-error.js';
import { StateStoreError, StoreNotReadyError } from '../../../state/state-store-error.js';
import { InvalidStoreOptionsError } from '../../../state/invalid-store-options-error.js';
import { TopologyError } from '../../../processor/topology-error.js';
import { InvalidTimestampError } from '../../../processor/internals/task-executor.js';
import { SuppressBufferFullError } from '../../../processor/stateful/suppress-buffer-full-error.js';
import { StreamsStateError } from '../streams-state.js';
import { ThreadGoneError } from './thread-gone-error.js';

/** An error as it crosses between threads: plain data. */
export type SerializedError = { name: string; message: string; stack?: string | undefined; props: Record<string, unknown> };

/**
 * Error classes rebuilt with their own prototype on the other side, so `instanceof` checks
 * (retriable errors, fenced producers, offsets out of range) work across threads.
 */
const CLASSES = new Map<string, new (...args: never[]) => Error>(
  [
    ...Object.values(logErrors),
    TributaryError,
    KafkaError,
    SerializationError,
    StateStoreError,
    StoreNotReadyError,
    InvalidStoreOptionsError,
    TopologyError,
    InvalidTimestampError,
    SuppressBufferFullError,
    StreamsStateError,
    ThreadGoneError,
  ].map((c) => [c.name, c as new (...args: never[]) => Error]),
);

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'cause' || typeof v === 'function') continue;
    props[k] = v;
  }
  return { name: e.constructor?.name ?? e.name, message: e.message, stack: e.stack, props };
}

export function deserializeError(s: SerializedError): Error {
  // A TributaryError subclass this table does not know stays a TributaryError (code, retriable).
  const cls = CLASSES.get(s.name) ?? (typeof s.props.code === 'string' && typeof s.props.retriable === 'boolean' ? TributaryError : undefined);
  const error: Error = cls === undefined ? new Error(s.message) : Object.create(cls.prototype);
  Object.assign(error, s.props);
  Object.defineProperty(error, 'message', { value: s.message, writable: true, configurable: true });
  if (s.stack !== undefined) Object.defineProperty(error, 'stack', { value: s.stack, writable: true, configurable: true });
  if (s.name !== error.name) Object.defineProperty(error, 'name', { value: s.name, writable: true, configurable: true });
  return error;
}
