import type { Serde } from '../../serdes/serde.js';
import type { LogRecord } from './partitioned-log.js';

/**
 * A fetched record whose key and value stay where they are in the batch's buffer: `key` and
 * `value` are made into Buffers only when read, and `readKey`/`readValue` hand a serde with a
 * `deserializeRange` the bytes in place. Stream tasks fetch records this way, which spares two
 * Buffer objects per record. Not for callers of `fetch`: its getters do not survive `{ ...record }`.
 * The buffer and ranges are private fields, so logging a record (processors see it as their
 * record metadata) does not print the whole batch.
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

  /** The key deserialized (null for a null key). */
  readKey<K>(serde: Serde<K>): K | null {
    return this.#read(serde, this.#keyStart, this.#keyLength);
  }

  /** The value deserialized (null for a null value). */
  readValue<V>(serde: Serde<V>): V | null {
    return this.#read(serde, this.#valueStart, this.#valueLength);
  }

  #read<T>(serde: Serde<T>, start: number, length: number): T | null {
    if (length < 0) return null;
    if (serde.deserializeRange !== undefined) return serde.deserializeRange(this.topic, this.#buf, start, start + length);
    return serde.deserialize(this.topic, this.#buf.subarray(start, start + length));
  }
}
