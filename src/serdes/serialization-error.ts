import { TributaryError } from '../errors/tributary-error.js';

/** Where the bytes that failed came from, when they came from a log. */
export type RecordLocation = { topic: string; partition: number; offset: number };

/**
 * Bytes that do not decode (or a value that does not encode) with the serde in use.
 * Kafka Streams equivalent: `SerializationException`.
 */
export class SerializationError extends TributaryError {
  constructor(
    message: string,
    readonly location?: RecordLocation,
    cause?: unknown,
  ) {
    super('SERIALIZATION', location === undefined ? message : `${message} (at ${location.topic}-${location.partition} offset ${location.offset})`, { cause });
  }

  /** The same error, with the topic, partition and offset of the record that failed. */
  at(location: RecordLocation): SerializationError {
    return new SerializationError(this.message, location, this.cause);
  }

  /**
   * What a serde threw while reading the record at `location`, as a SerializationError with its
   * place: a SerializationError gets the place added, anything else becomes one saying
   * `${what}: ${its message}`.
   */
  static reading(error: unknown, location: RecordLocation, what: string): SerializationError {
    return error instanceof SerializationError ? error.at(location) : new SerializationError(`${what}: ${(error as Error).message}`, location, error);
  }
}
