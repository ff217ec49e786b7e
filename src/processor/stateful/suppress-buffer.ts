import type { Serde } from '../../serdes/serde.js';
import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import { MinHeap } from '../internals/min-heap.js';
import type { Change } from './change.js';

/** A buffered update: the latest change of a key, when it may be emitted, and its size in the store. */
export type BufferedChange<K, V> = { key: K; change: Change<V>; evictAt: number; timestamp: number; bytes: number };

/**
 * When a buffered key is due. `seq` orders keys due at the same time (first buffered first) and
 * tells a stale item (its key was emitted and buffered again since) from the current one.
 */
type Due = { readonly evictAt: number; readonly seq: number; readonly id: string };

const META = Buffer.from([0]);
const ENTRY = 1;

/**
 * The suppress operator's buffer: an in-memory index, mirrored into a logged in-memory store so
 * it survives restarts (Kafka Streams' InMemoryTimeOrderedKeyValueBuffer). Entry keys are the
 * serialized record keys behind a marker byte; one extra entry keeps the operator's stream time.
 */
export class SuppressBuffer<K, V> {
  private readonly entries = new Map<string, BufferedChange<K, V> & { seq: number }>();
  /** Buffered keys by eviction time: what is due is found without scanning the buffer. */
  private readonly due = new MinHeap<Due>((a, b) => a.evictAt < b.evictAt || (a.evictAt === b.evictAt && a.seq < b.seq));
  private seq = 0;
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
        const id = key.toString('latin1');
        const entry = { ...this.decode(key, value), seq: this.seq++ };
        this.entries.set(id, entry);
        this.due.push({ evictAt: entry.evictAt, seq: entry.seq, id });
        this.bytes += entry.bytes;
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
    const entry = { key, ...merged, timestamp, bytes: keyBytes.length + encoded.length, seq: existing?.seq ?? this.seq++ };
    this.bytes += entry.bytes - (existing?.bytes ?? 0);
    this.entries.set(id, entry);
    if (existing === undefined) this.due.push({ evictAt: entry.evictAt, seq: entry.seq, id });
    this.store.put(keyBytes, encoded);
  }

  /**
   * Removes and returns the entries due at the current stream time, then the oldest ones while
   * the buffer holds more than `limits` allow, in eviction order.
   */
  evict(limits?: { maxRecords: number; maxBytes: number }): BufferedChange<K, V>[] {
    const over = () => limits !== undefined && (this.entries.size > limits.maxRecords || this.bytes > limits.maxBytes);
    const out: BufferedChange<K, V>[] = [];
    for (let next = this.due.peek(); next !== undefined; next = this.due.peek()) {
      const entry = this.entries.get(next.id);
      if (entry === undefined || entry.seq !== next.seq) {
        this.due.pop(); // stale: emitted already
        continue;
      }
      if (entry.evictAt > this.streamTime && !over()) break;
      this.due.pop();
      out.push(entry);
      this.entries.delete(next.id);
      this.bytes -= entry.bytes;
      this.store.delete(Buffer.from(next.id, 'latin1'));
    }
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
