import type { Serde } from './serde.js';
import { readInt64, writeInt64 } from './int64-bytes.js';
import { SerializationError } from './serialization-error.js';
import type { Windowed } from './windowed.js';

/**
 * Bytes of a windowed key: the inner key's bytes, then the window start and end as 8-byte
 * big-endian integers. Both bounds are written, so time and session windows share one format.
 */
export function windowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize: (topic, w) => {
      const key = inner.serialize(topic, w.key);
      const out = Buffer.allocUnsafe(key.length + 16);
      key.copy(out, 0);
      writeInt64(out, w.window.start, key.length);
      writeInt64(out, w.window.end, key.length + 8);
      return out;
    },
    serializeInto: (topic, w, target, offset) => {
      const n = inner.serializeInto !== undefined ? inner.serializeInto(topic, w.key, target, offset) : copyInto(inner.serialize(topic, w.key), target, offset);
      if (n < 0 || target.length - offset - n < 16) return -1;
      writeInt64(target, w.window.start, offset + n);
      writeInt64(target, w.window.end, offset + n + 8);
      return n + 16;
    },
    deserialize: (topic, bytes) => {
      if (bytes.length < 16) throw new SerializationError(`windowed serde expects at least 16 bytes from topic "${topic}", got ${bytes.length}`);
      const n = bytes.length - 16;
      const window = { start: readInt64(bytes, n) ?? Number(bytes.readBigInt64BE(n)), end: readInt64(bytes, n + 8) ?? Number(bytes.readBigInt64BE(n + 8)) };
      return { key: inner.deserialize(topic, bytes.subarray(0, n)), window };
    },
  };
}

/** Copies `bytes` to `offset` of `target`: their length, or -1 when they do not fit. */
function copyInto(bytes: Buffer, target: Buffer, offset: number): number {
  if (target.length - offset < bytes.length) return -1;
  return bytes.copy(target, offset);
}
