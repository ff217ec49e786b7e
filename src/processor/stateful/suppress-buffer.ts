import type { Serde } from '../../serdes/serde.js';
import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { Change } from './change.js';

/** A buffered update: the latest change of a key, when it may be emitted, and its size in the store. */
export type BufferedChange<K, V> = { key: K; change: Change<V>; evictAt: number; timestamp: number; bytes: number };

const META = Buffer.from([0]);
const ENTRY = 1;

/**
 * The suppress operator's buffer: an in-memory index, mirrored into a logged in-memory store so
 * it survives restarts (Kafka Streams' InMemoryTimeOrderedKeyValueBuffer). Entry keys are the
 * serialized record keys behind a marker byte; one extra entry keeps the operator's stream time.
 */
export class SuppressBuffer<K, V> {
  private readonly entries = new Map<string, BufferedChange<K, V>>();
  private minEvictAt = Number.POSITIVE_INFINITY;
  /** Serialized keys and values held (what maxBytes bounds). */
  bytes = 0;
  streamTime = -1;

  constructor(
    private readonly store: StagedKeyValueStore<Buffer, Buffer>,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly topic: string,
  ) {
    for (const { key, value } of store.entriesSync()) {
      if (key.equals(META)) this.streamTime = value.readDoubleBE(0);
      else {
        const entry = this.decode(key, value);
        this.entries.set(key.toString('latin1'), entry);
        this.bytes += entry.bytes;
        this.minEvictAt = Math.min(this.minEvictAt, entry.evictAt);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  advance(time: number): void {
    if (time <= this.streamTime) return;
    this.streamTime = time;
    const meta = Buffer.allocUnsafe(8);
    meta.writeDoubleBE(time, 0);
    this.store.put(META, meta);
  }

  /** Buffers a change; an already buffered key keeps its first old value and its eviction time. */
  put(key: K, change: Change<V>, evictAt: number, timestamp: number): void {
    const keyBytes = Buffer.concat([Buffer.from([ENTRY]), this.keySerde.serialize(this.topic, key)]);
    const id = keyBytes.toString('latin1');
    const existing = this.entries.get(id);
    const merged = existing === undefined ? { change, evictAt } : { change: { newValue: change.newValue, oldValue: existing.change.oldValue }, evictAt: existing.evictAt };
    const encoded = this.encode(merged.change, merged.evictAt, timestamp);
    const entry: BufferedChange<K, V> = { key, ...merged, timestamp, bytes: keyBytes.length + encoded.length };
    this.bytes += entry.bytes - (existing?.bytes ?? 0);
    this.entries.set(id, entry);
    this.minEvictAt = Math.min(this.minEvictAt, entry.evictAt);
    this.store.put(keyBytes, encoded);
  }

  /**
   * Removes and returns the entries due at the current stream time, then the oldest ones while
   * the buffer holds more than `limits` allow, in eviction order.
   */
  evict(limits?: { maxRecords: number; maxBytes: number }): BufferedChange<K, V>[] {
    const over = () => limits !== undefined && (this.entries.size > limits.maxRecords || this.bytes > limits.maxBytes);
    if (this.streamTime < this.minEvictAt && !over()) return [];
    const sorted = [...this.entries].sort((a, b) => a[1].evictAt - b[1].evictAt);
    const out: BufferedChange<K, V>[] = [];
    for (const [id, entry] of sorted) {
      if (entry.evictAt > this.streamTime && !over()) break;
      out.push(entry);
      this.entries.delete(id);
      this.bytes -= entry.bytes;
      this.store.delete(Buffer.from(id, 'latin1'));
    }
    this.minEvictAt = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) this.minEvictAt = Math.min(this.minEvictAt, e.evictAt);
    return out;
  }

  private encode(change: Change<V>, evictAt: number, timestamp: number): Buffer {
    const part = (v: V | undefined) => (v === undefined ? null : this.valueSerde.serialize(this.topic, v));
    const parts = [part(change.newValue), part(change.oldValue)];
    const head = Buffer.allocUnsafe(16);
    head.writeDoubleBE(evictAt, 0);
    head.writeDoubleBE(timestamp, 8);
    const chunks: Buffer[] = [head];
    for (const p of parts) {
      const len = Buffer.allocUnsafe(4);
      len.writeInt32BE(p === null ? -1 : p.length, 0);
      chunks.push(len, ...(p === null ? [] : [p]));
    }
    return Buffer.concat(chunks);
  }

  private decode(keyBytes: Buffer, bytes: Buffer): BufferedChange<K, V> {
    let at = 16;
    const next = (): V | undefined => {
      const len = bytes.readInt32BE(at);
      at += 4;
      if (len < 0) return undefined;
      const v = this.valueSerde.deserialize(this.topic, bytes.subarray(at, at + len));
      at += len;
      return v;
    };
    const newValue = next();
    const oldValue = next();
    const key = this.keySerde.deserialize(this.topic, keyBytes.subarray(1));
    return { key, change: { newValue, oldValue }, evictAt: bytes.readDoubleBE(0), timestamp: bytes.readDoubleBE(8), bytes: keyBytes.length + bytes.length };
  }
}
