import type { LogRecord } from './partitioned-log.js';

/** Reads a value from bytes `start` to `end` of `buffer` without slicing them (a serde's deserializeRange, say). */
export type BytesReader<T> = (topic: string, buffer: Buffer, start: number, end: number) => T;

/**
 * A fetched record whose key and value stay where they are in the batch's buffer: `key` and
 * `value` are made into Buffers only when read, and `readKey`/`readValue` hand a reader the bytes
 * in place. Stream tasks fetch records this way, which spares two Buffer objects per record. Not
 * for callers of `fetch`: its getters do not survive `{ ...record }`. The buffer and ranges are
 * private fields, so logging a record (processors see it as their record metadata) does not
 * print the whole batch.
 */
export class RecordView implements LogRecord {
  readonly #buf: Buffer;
  readonly #keyStart: number;
  readonly #keyLength: number;
  readonly #valueStart: number;
  readonly #valueLength: number;

  /** A length of -1 stands for null. */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly timestamp: number,
    readonly headers: Record<string, Buffer>,
    buf: Buffer,
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
  ) {
    this.#buf = buf;
    this.#keyStart = keyStart;
    this.#keyLength = keyLength;
    this.#valueStart = valueStart;
    this.#valueLength = valueLength;
  }

  get key(): Buffer | null {
    return this.#keyLength < 0 ? null : this.#buf.subarray(this.#keyStart, this.#keyStart + this.#keyLength);
  }

  get value(): Buffer | null {
    return this.#valueLength < 0 ? null : this.#buf.subarray(this.#valueStart, this.#valueStart + this.#valueLength);
  }

  /** The key as `read` reads its bytes in place (null for a null key). */
  readKey<T>(read: BytesReader<T>): T | null {
    return this.#keyLength < 0 ? null : read(this.topic, this.#buf, this.#keyStart, this.#keyStart + this.#keyLength);
  }

  /** The value as `read` reads its bytes in place (null for a null value). */
  readValue<T>(read: BytesReader<T>): T | null {
    return this.#valueLength < 0 ? null : read(this.topic, this.#buf, this.#valueStart, this.#valueStart + this.#valueLength);
  }
}
