import type { Serde } from './serde.js';
import { SerializationError } from './serialization-error.js';
import { readInt64, writeInt64 } from './int64-bytes.js';
import { windowedSerde } from './windowed-serde.js';
import type { Windowed } from './windowed.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fixedWidth(name: string, length: number, width: number, topic: string): void {
  if (length !== width) {
    throw new SerializationError(`${name} serde expects ${width} bytes from topic "${topic}", got ${length}`);
  }
}

function integerIn(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SerializationError(`${name} serde cannot encode ${String(value)}: expected an integer from ${min} to ${max}`);
  }
}

/** Buffer's own UTF-8 writer: what `Buffer#write` calls once it has checked its arguments (hot path). */
const utf8Write: (buffer: Buffer, text: string, offset: number, length: number) => number = (() => {
  const native = (Buffer.prototype as Buffer & { utf8Write?: (text: string, offset: number, length: number) => number }).utf8Write;
  return native !== undefined ? (buffer, text, offset, length) => native.call(buffer, text, offset, length) : (buffer, text, offset, length) => buffer.write(text, offset, length, 'utf8');
})();

/** Buffer's own UTF-8 reader: what `Buffer#toString('utf8', start, end)` calls after its argument checks (hot path). */
const utf8Slice: (buffer: Buffer, start: number, end: number) => string = (() => {
  const native = (Buffer.prototype as Buffer & { utf8Slice?: (start: number, end: number) => string }).utf8Slice;
  return native !== undefined ? (buffer, start, end) => native.call(buffer, start, end) : (buffer, start, end) => buffer.toString('utf8', start, end);
})();

/**
 * Writes `text` as UTF-8 at `offset`, or returns -1 when it may not fit. A string of n UTF-16
 * units takes at most 3n bytes; only when that much room is not there is the exact size asked.
 */
function writeUtf8(text: string, target: Buffer, offset: number): number {
  const room = target.length - offset;
  if (room < text.length * 3 && room < Buffer.byteLength(text, 'utf8')) return -1;
  return utf8Write(target, text, offset, room);
}

/** The value itself, once checked to be a string (serialize and serializeInto both check). */
function checkedString(s: string): string {
  if (typeof s !== 'string') throw new SerializationError(`string serde cannot encode a ${typeof s}`);
  return s;
}

const stringSerde: Serde<string> = {
  serialize: (_topic, s) => Buffer.from(checkedString(s), 'utf8'),
  serializeInto: (_topic, s, target, offset) => writeUtf8(checkedString(s), target, offset),
  deserialize: (_topic, bytes) => utf8Slice(bytes, 0, bytes.length),
  deserializeRange: (_topic, buffer, start, end) => utf8Slice(buffer, start, end),
};

/**
 * A serde of numbers of `width` bytes: `check` refuses what cannot be written, `write` and
 * `read` put and take the number at an offset. serialize, serializeInto and both deserializers
 * share them, so the checks live in one place.
 */
function fixedWidthSerde(
  name: string,
  width: number,
  check: (n: number) => void,
  write: (buffer: Buffer, n: number, at: number) => void,
  read: (topic: string, buffer: Buffer, at: number) => number,
): Serde<number> {
  const readRange = (topic: string, buffer: Buffer, start: number, end: number): number => {
    fixedWidth(name, end - start, width, topic);
    return read(topic, buffer, start);
  };
  return {
    serialize: (_topic, n) => {
      check(n);
      const buf = Buffer.allocUnsafe(width);
      write(buf, n, 0);
      return buf;
    },
    serializeInto: (_topic, n, target, offset) => {
      check(n);
      if (target.length - offset < width) return -1;
      write(target, n, offset);
      return width;
    },
    deserialize: (topic, bytes) => readRange(topic, bytes, 0, bytes.length),
    deserializeRange: readRange,
  };
}

const int32Serde = fixedWidthSerde(
  'int32',
  4,
  (n) => integerIn('int32', n, -(2 ** 31), 2 ** 31 - 1),
  (buffer, n, at) => buffer.writeInt32BE(n, at),
  (_topic, buffer, at) => buffer.readInt32BE(at),
);

const int64Serde = fixedWidthSerde(
  'int64',
  8,
  (n) => integerIn('int64', n, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  writeInt64,
  (topic, buffer, at) => {
    const fast = readInt64(buffer, at);
    if (fast !== undefined) return fast;
    const n = buffer.readBigInt64BE(at);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SerializationError(`int64 value ${n} from topic "${topic}" does not fit a JavaScript number exactly`);
    }
    return Number(n);
  },
);

const doubleSerde = fixedWidthSerde(
  'double',
  8,
  (n) => {
    if (typeof n !== 'number') throw new SerializationError(`double serde cannot encode a ${typeof n}`);
  },
  (buffer, n, at) => buffer.writeDoubleBE(n, at),
  (_topic, buffer, at) => buffer.readDoubleBE(at),
);

function checkedBuffer(b: Buffer): Buffer {
  if (!Buffer.isBuffer(b)) throw new SerializationError('bytes serde expects a Buffer');
  return b;
}

const bytesSerde: Serde<Buffer> = {
  serialize: (_topic, b) => checkedBuffer(b),
  serializeInto: (_topic, b, target, offset) => {
    if (target.length - offset < checkedBuffer(b).length) return -1;
    return b.copy(target, offset);
  },
  deserialize: (_topic, bytes) => bytes,
};

function checkedUuid(s: string): string {
  if (typeof s !== 'string' || !UUID.test(s)) throw new SerializationError(`uuid serde cannot encode ${JSON.stringify(s)}: not a UUID`);
  return s;
}

const uuidSerde: Serde<string> = {
  serialize: (_topic, s) => Buffer.from(checkedUuid(s), 'utf8'),
  serializeInto: (_topic, s, target, offset) => writeUtf8(checkedUuid(s), target, offset),
  deserialize: (topic, bytes) => {
    const s = bytes.toString('utf8');
    if (!UUID.test(s)) throw new SerializationError(`uuid serde got ${JSON.stringify(s.slice(0, 40))} from topic "${topic}": not a UUID`);
    return s;
  },
};

/** JSON.stringify's text, or a SerializationError for what it cannot encode (undefined, a function…). */
function jsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    // A BigInt, a cycle, or a toJSON that throws.
    throw new SerializationError(`json serde cannot encode the value: ${(e as Error).message}`, undefined, e);
  }
  if (text === undefined) throw new SerializationError(`json serde cannot encode ${typeof value}`);
  return text;
}

function jsonSerde<T>(): Serde<T> {
  return {
    serialize: (_topic, value) => Buffer.from(jsonText(value), 'utf8'),
    serializeInto: (_topic, value, target, offset) => writeUtf8(jsonText(value), target, offset),
    deserialize: (topic, bytes) => parseJson<T>(topic, bytes, 0, bytes.length),
    deserializeRange: (topic, buffer, start, end) => parseJson<T>(topic, buffer, start, end),
  };
}

function parseJson<T>(topic: string, buffer: Buffer, start: number, end: number): T {
  try {
    return JSON.parse(utf8Slice(buffer, start, end)) as T;
  } catch (e) {
    throw new SerializationError(`json serde cannot parse bytes from topic "${topic}": ${(e as Error).message}`, undefined, e);
  }
}

/**
 * Built-in serdes. Numbers are big-endian as Kafka's IntegerSerde/LongSerde/DoubleSerde write
 * them, so Tributary and Java applications read each other's topics.
 *
 * @example
 * builder.stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>() });
 */
export const Serdes = {
  /** UTF-8 text. Kafka: `Serdes.String()`. */
  string: (): Serde<string> => stringSerde,
  /** JSON text of a value of type T (the type is trusted, not checked). */
  json: <T>(): Serde<T> => jsonSerde<T>(),
  /** 4-byte big-endian signed integer. Kafka: `Serdes.Integer()`. */
  int32: (): Serde<number> => int32Serde,
  /** 8-byte big-endian signed integer, within Number's safe range. Kafka: `Serdes.Long()`. */
  int64: (): Serde<number> => int64Serde,
  /** 8-byte IEEE 754 double. Kafka: `Serdes.Double()`. */
  double: (): Serde<number> => doubleSerde,
  /** Bytes as they are. Kafka: `Serdes.Bytes()`/`ByteArray()`. */
  bytes: (): Serde<Buffer> => bytesSerde,
  /** A UUID string, stored as its UTF-8 text as Kafka's `Serdes.UUID()` does. */
  uuid: (): Serde<string> => uuidSerde,
  /** A windowed key: the inner key's bytes, window start and end (8-byte big-endian each). */
  windowed: <K>(inner: Serde<K>): Serde<Windowed<K>> => windowedSerde(inner),
} as const;
