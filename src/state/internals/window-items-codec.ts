import type { Serde } from '../../serdes/serde.js';
import type { ValueCodec } from './staged-entries.js';

/** One window's (or session's) bounds and value, as a segmented store keeps them per key and segment. */
export type WindowItem<V> = { start: number; end: number; value: V };

/** Bytes before each item's value: start and end (8-byte doubles), then the value's length. */
const ITEM_HEADER = 20;

/** Size of the slabs buckets are encoded into (a bucket larger than one gets a slab of its own). */
const SLAB_BYTES = 16 * 1024;

/**
 * The bytes of a bucket's items: their count, then per item start, end, value length and value
 * (by the store's value serde, written for its changelog topic).
 *
 * A commit encodes every bucket it changed, so buckets are written one after another into a slab
 * (values by `serializeInto` where the serde has it) and each is a view of its part, as Node's
 * pooled small Buffers are: one view per bucket instead of a Buffer per value plus the bucket's.
 */
export function windowItemsCodec<V>(serde: Serde<V>, topic: string): ValueCodec<WindowItem<V>[]> {
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let used = 0;
  /** Writes the value at `at`; the bytes written, or -1 when the slab has too little room. */
  const writeValue = (value: V, at: number): number => {
    if (serde.serializeInto !== undefined) return serde.serializeInto(topic, value, slab, at);
    const bytes = serde.serialize(topic, value);
    return slab.length - at < bytes.length ? -1 : bytes.copy(slab, at);
  };
  /** Writes the bucket at `used`; where it ends, or -1 when the slab has too little room. */
  const write = (items: readonly WindowItem<V>[]): number => {
    let at = used;
    if (slab.length - at < 4) return -1;
    at = slab.writeUInt32BE(items.length, at);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (slab.length - at < ITEM_HEADER) return -1;
      slab.writeDoubleBE(item.start, at);
      slab.writeDoubleBE(item.end, at + 8);
      const n = writeValue(item.value, at + ITEM_HEADER);
      if (n < 0) return -1;
      slab.writeUInt32BE(n, at + 16);
      at += ITEM_HEADER + n;
    }
    return at;
  };
  return {
    encode: (items) => {
      for (;;) {
        const end = write(items);
        if (end >= 0) {
          const out = slab.subarray(used, end);
          used = end;
          return out;
        }
        // A new slab; twice the size when the bucket did not fit even a fresh one.
        slab = Buffer.allocUnsafe(used === 0 ? slab.length * 2 : SLAB_BYTES);
        used = 0;
      }
    },
    decode: (bytes) => {
      const items: WindowItem<V>[] = [];
      const n = bytes.readUInt32BE(0);
      let at = 4;
      for (let i = 0; i < n; i++) {
        const start = bytes.readDoubleBE(at);
        const end = bytes.readDoubleBE(at + 8);
        const len = bytes.readUInt32BE(at + 16);
        const from = at + ITEM_HEADER;
        // In place where the serde can (a count's int64, a string), sparing a Buffer per item.
        const value = serde.deserializeRange !== undefined ? serde.deserializeRange(topic, bytes, from, from + len) : serde.deserialize(topic, bytes.subarray(from, from + len));
        items.push({ start, end, value });
        at += ITEM_HEADER + len;
      }
      return items;
    },
  };
}
