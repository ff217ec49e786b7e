import type { Serde } from '../../serdes/serde.js';
import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import { MinHeap } from '../internals/min-heap.js';

/** Records of one key, side and timestamp that found no partner yet. */
export type UnmatchedRecords = { readonly timestamp: number; readonly isLeft: boolean; readonly key: unknown; readonly values: unknown[] };

type Entry = UnmatchedRecords & { readonly closesAt: number };
/** When an entry closes; an item whose entry is gone (joined or emitted) is skipped when it comes up. */
type Closing = { readonly closesAt: number; readonly ck: string };

const LEFT = 0;
const RIGHT = 1;
/** One buffer per store instance (one per task), shared by the join's left and right processors. */
const buffers = new WeakMap<object, OuterJoinBuffer>();

/**
 * The records of a left/outer stream-stream join that have not joined yet. They are emitted with
 * a null partner only once their window has closed (Kafka Streams since 3.1: no early nulls),
 * and dropped from here as soon as a record of the other side joins them.
 *
 * Kept in memory, mirrored into a logged in-memory store so it survives restarts (the store's
 * entries are `timestamp | side | key` → the values). Like the suppress buffer, the index is
 * rebuilt from the store whenever a task (re)opens.
 */
export class OuterJoinBuffer {
  private readonly entries = new Map<string, Entry>();
  /** Entries by closing time, so a closed one is found without scanning the buffer. */
  private readonly closing = new MinHeap<Closing>((a, b) => a.closesAt < b.closesAt);

  private constructor(
    private readonly store: StagedKeyValueStore<Buffer, Buffer>,
    private readonly serdes: { key: Serde<unknown>; left: Serde<unknown>; right: Serde<unknown> },
    private readonly topic: string,
    /** How long after its timestamp (plus grace) a left or right record's window closes. */
    private readonly closeAfter: { left: number; right: number },
  ) {
    for (const { key, value } of store.entriesSync()) {
      const entry = this.decode(key, value);
      const ck = key.toString('latin1');
      this.entries.set(ck, entry);
      this.closing.push({ closesAt: entry.closesAt, ck });
    }
  }

  static of(store: StagedKeyValueStore<Buffer, Buffer>, serdes: { key: Serde<unknown>; left: Serde<unknown>; right: Serde<unknown> }, topic: string, closeAfter: { left: number; right: number }): OuterJoinBuffer {
    let buffer = buffers.get(store);
    if (buffer === undefined) buffers.set(store, (buffer = new OuterJoinBuffer(store, serdes, topic, closeAfter)));
    return buffer;
  }

  add(isLeft: boolean, key: unknown, keyBytes: Buffer, timestamp: number, value: unknown): void {
    const id = entryKey(timestamp, isLeft, keyBytes);
    const ck = id.toString('latin1');
    const existing = this.entries.get(ck);
    const entry: Entry = { timestamp, isLeft, key, values: [...(existing?.values ?? []), value], closesAt: timestamp + (isLeft ? this.closeAfter.left : this.closeAfter.right) };
    this.entries.set(ck, entry);
    if (existing === undefined) this.closing.push({ closesAt: entry.closesAt, ck });
    this.store.put(id, this.encode(entry));
  }

  /** A record of the other side joined these: they will never be emitted alone. */
  remove(isLeft: boolean, keyBytes: Buffer, timestamp: number): void {
    const id = entryKey(timestamp, isLeft, keyBytes);
    if (this.entries.delete(id.toString('latin1'))) this.store.delete(id);
  }

  /** Removes and returns the records whose window closed before `streamTime`, oldest first. */
  takeClosed(streamTime: number): UnmatchedRecords[] {
    const closed: [string, Entry][] = [];
    for (let next = this.closing.peek(); next !== undefined && next.closesAt < streamTime; next = this.closing.peek()) {
      this.closing.pop();
      const entry = this.entries.get(next.ck);
      if (entry === undefined) continue; // joined since, or emitted through an older item of the same key
      closed.push([next.ck, entry]);
      this.entries.delete(next.ck);
      this.store.delete(Buffer.from(next.ck, 'latin1'));
    }
    return closed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }

  private serde(isLeft: boolean): Serde<unknown> {
    return isLeft ? this.serdes.left : this.serdes.right;
  }

  private encode(entry: Entry): Buffer {
    const serde = this.serde(entry.isLeft);
    const parts = entry.values.map((v) => serde.serialize(this.topic, v));
    const out = Buffer.allocUnsafe(4 + parts.reduce((n, p) => n + 4 + p.length, 0));
    let at = out.writeUInt32BE(parts.length, 0);
    for (const p of parts) {
      at = out.writeUInt32BE(p.length, at);
      at += p.copy(out, at);
    }
    return out;
  }

  private decode(id: Buffer, bytes: Buffer): Entry {
    const timestamp = id.readDoubleBE(0);
    const isLeft = id[8] === LEFT;
    const serde = this.serde(isLeft);
    const values: unknown[] = [];
    let at = 4;
    for (let i = bytes.readUInt32BE(0); i > 0; i--) {
      const len = bytes.readUInt32BE(at);
      values.push(serde.deserialize(this.topic, bytes.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    const key = this.serdes.key.deserialize(this.topic, id.subarray(9));
    return { timestamp, isLeft, key, values, closesAt: timestamp + (isLeft ? this.closeAfter.left : this.closeAfter.right) };
  }
}

/** `timestamp (8 bytes) | side | key`: byte order is time order (timestamps are >= 0), left first. */
function entryKey(timestamp: number, isLeft: boolean, keyBytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + keyBytes.length);
  out.writeDoubleBE(timestamp, 0);
  out[8] = isLeft ? LEFT : RIGHT;
  keyBytes.copy(out, 9);
  return out;
}
