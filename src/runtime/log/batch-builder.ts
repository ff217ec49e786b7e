import type { EncodedBatches } from './encoded-batches.js';
import { InvalidRecordError, UnknownPartitionError } from './errors.js';
import { murmur2 } from './murmur2.js';
import { BATCH_HEADER_BYTES, BATCH_VERSION, headersSize, writeHeaders } from './record-batch.js';
import { StickyPartitioner } from './sticky-partitioner.js';

/** What a producer must know of a topic to encode for it: partition count and cleanup policy. */
export type TopicShape = { partitions: number; compacted: boolean };

/**
 * Writes a key or value into a batch in place (a Serde with `serializeInto` fits): the number of
 * bytes written at `offset`, or -1 when they may not fit in the room left (the builder makes
 * more room and asks again).
 */
export type BytesWriter = { serializeInto(topic: string, data: unknown, target: Buffer, offset: number): number };

/** Writes Buffers as they are (keys and values already serialized). */
export const BUFFER_WRITER: BytesWriter = {
  serializeInto: (_topic, data, target, offset) => {
    const bytes = data as Buffer;
    return target.length - offset < bytes.length ? -1 : bytes.copy(target, offset);
  },
};

/** Room for a record's fixed fields: offset delta, timestamp, key and value lengths, header count. */
const RECORD_FIXED_BYTES = 22;
const FIRST_CAPACITY = 16 * 1024;

/** The batch of one partition being built: its records from byte 0 of `buf`, without the header. */
type Slot = { topicIndex: number; partition: number; buf: Buffer; view: DataView; used: number; count: number; maxTimestamp: number; listed: boolean };

/** A topic records went to: its slots are kept across calls, so that steady traffic allocates no buffers. */
type TopicEntry = { index: number; slots: (Slot | undefined)[] };

/**
 * Builds a produce call record by record, as one batch per partition in EmbeddedLog's format
 * (offsets from 0, not yet stamped: the log stamps them as it appends), with keys and values
 * serialized straight into the batch: no Buffer and no record object per record. Partitions are
 * chosen as every backend chooses them (see choosePartition). `take` hands the call over and
 * keeps the memory for the next one.
 */
export class BatchBuilder {
  private readonly topics = new Map<string, TopicEntry>();
  /** This call's topics (index = position), their shapes, and its partitions in first-use order. */
  private names: string[] = [];
  private shapes: TopicShape[] = [];
  private entries: TopicEntry[] = [];
  private order: Slot[] = [];
  private records = 0;
  private keyScratch = Buffer.allocUnsafe(1024);
  private readonly sticky = new StickyPartitioner();
  private nullKeyPartition = this.sticky.forCall();

  /** Records added since the last take. */
  get size(): number {
    return this.records;
  }

  /**
   * Adds a record: `key` and `value` null or undefined stay null, others are written by their
   * writer. `partition` undefined: murmur2 of the key's bytes, or the call's sticky partition
   * for a null key. Throws, adding nothing, for a partition out of range or a null key on a
   * compacted topic; a writer's own error passes through the same way.
   */
  add(topic: string, shape: TopicShape, partition: number | undefined, keyWriter: BytesWriter, key: unknown, valueWriter: BytesWriter, value: unknown, timestamp: number, headers: Record<string, Buffer>): void {
    const keyLength = key === null || key === undefined ? -1 : this.writeKey(keyWriter, topic, key);
    const slot = this.slotOf(topic, shape, this.partitionOf(topic, shape, partition, keyLength));
    const start = slot.used;
    try {
      this.ensure(slot, RECORD_FIXED_BYTES + Math.max(keyLength, 0));
      let view = slot.view;
      view.setUint32(start, slot.count, true);
      view.setFloat64(start + 4, timestamp, true);
      view.setInt32(start + 12, keyLength, true);
      let pos = start + 16;
      if (keyLength > 0) {
        copyBytes(this.keyScratch, slot.buf, pos, keyLength);
        pos += keyLength;
      }
      let valueLength = -1;
      if (value !== null && value !== undefined) {
        for (;;) {
          valueLength = valueWriter.serializeInto(topic, value, slot.buf, pos + 4);
          if (valueLength >= 0) break;
          slot.used = pos;
          this.ensure(slot, 4 + (slot.buf.length - pos) * 2);
        }
      }
      view = slot.view; // the loop may have grown the buffer
      view.setInt32(pos, valueLength, true);
      pos += 4 + Math.max(valueLength, 0);
      // The value is in place (counted as used, so that growing keeps it): room for the headers.
      const headerBytes = headersSize(headers);
      slot.used = pos;
      this.ensure(slot, 2 + headerBytes);
      view = slot.view;
      if (headerBytes === 0) {
        view.setUint16(pos, 0, true);
        pos += 2;
      } else pos = writeHeaders(slot.buf, pos, headers);
      slot.used = pos;
    } catch (e) {
      slot.used = start;
      throw e;
    }
    slot.count++;
    if (timestamp > slot.maxTimestamp) slot.maxTimestamp = timestamp;
    this.records++;
  }

  /**
   * The records added so far, as one batch per partition in one transferable buffer (it owns its
   * memory: a worker can hand it to the thread that owns the log); undefined when there are none.
   * The builder starts a new call.
   */
  take(): EncodedBatches | undefined {
    if (this.records === 0) {
      this.clear();
      return undefined;
    }
    const slots = this.order.filter((s) => s.count > 0); // a slot whose only record failed to serialize has none
    let total = 0;
    for (const s of slots) total += BATCH_HEADER_BYTES + s.used;
    const bytes = Buffer.allocUnsafeSlow(total);
    const out = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const layout = new Float64Array(slots.length * 4);
    let at = 0;
    for (let b = 0; b < slots.length; b++) {
      const s = slots[b]!;
      const length = BATCH_HEADER_BYTES + s.used;
      out.setUint32(at, length, true);
      out.setUint32(at + 4, 0, true); // checksum: set when the log stamps the batch
      out.setUint8(at + 8, BATCH_VERSION);
      out.setUint8(at + 9, 0);
      out.setUint16(at + 10, 0, true);
      out.setUint32(at + 12, s.count, true);
      out.setFloat64(at + 16, 0, true);
      out.setUint32(at + 24, s.count - 1, true);
      out.setUint32(at + 28, 0, true);
      out.setFloat64(at + 32, 0, true);
      out.setFloat64(at + 40, s.maxTimestamp, true);
      out.setFloat64(at + 48, 0, true);
      s.buf.copy(bytes, at + BATCH_HEADER_BYTES, 0, s.used);
      layout[b * 4] = s.topicIndex;
      layout[b * 4 + 1] = s.partition;
      layout[b * 4 + 2] = at;
      layout[b * 4 + 3] = length;
      at += length;
    }
    const encoded: EncodedBatches = { topics: this.names, assumed: this.shapes, layout, bytes };
    this.clear();
    return encoded;
  }

  /** Drops what was added since the last take, and starts a new call. */
  clear(): void {
    for (const s of this.order) {
      s.used = 0;
      s.count = 0;
      s.maxTimestamp = -1;
      s.listed = false;
    }
    for (const t of this.entries) t.index = -1;
    this.names = [];
    this.shapes = [];
    this.entries = [];
    this.order = [];
    this.records = 0;
    this.nullKeyPartition = this.sticky.forCall();
  }

  /** Serializes the key into the scratch buffer (its partition depends on its bytes); returns its length. */
  private writeKey(writer: BytesWriter, topic: string, key: unknown): number {
    for (;;) {
      const n = writer.serializeInto(topic, key, this.keyScratch, 0);
      if (n >= 0) return n;
      this.keyScratch = Buffer.allocUnsafe(this.keyScratch.length * 2);
    }
  }

  private partitionOf(topic: string, shape: TopicShape, partition: number | undefined, keyLength: number): number {
    if (keyLength < 0 && shape.compacted) throw new InvalidRecordError(`a record for topic "${topic}": a compacted topic needs a key on every record`);
    if (partition !== undefined) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= shape.partitions) throw new UnknownPartitionError(topic, partition, shape.partitions);
      return partition;
    }
    if (keyLength < 0) return this.nullKeyPartition(topic, shape.partitions);
    return (murmur2(this.keyScratch, keyLength) & 0x7fffffff) % shape.partitions;
  }

  private slotOf(topic: string, shape: TopicShape, partition: number): Slot {
    let t = this.topics.get(topic);
    if (t === undefined) this.topics.set(topic, (t = { index: -1, slots: [] }));
    if (t.index < 0) {
      t.index = this.names.length;
      this.names.push(topic);
      this.shapes.push(shape);
      this.entries.push(t);
    }
    let slot = t.slots[partition];
    if (slot === undefined) t.slots[partition] = slot = newSlot(partition);
    if (!slot.listed) {
      slot.listed = true;
      slot.topicIndex = t.index;
      this.order.push(slot);
    }
    return slot;
  }

  /** Makes room for `bytes` more bytes after `used`. */
  private ensure(slot: Slot, bytes: number): void {
    if (slot.used + bytes <= slot.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(slot.buf.length * 2, slot.used + bytes));
    slot.buf.copy(grown, 0, 0, slot.used);
    slot.buf = grown;
    slot.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }
}

function newSlot(partition: number): Slot {
  const buf = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  return { topicIndex: 0, partition, buf, view: new DataView(buf.buffer, buf.byteOffset, buf.length), used: 0, count: 0, maxTimestamp: -1, listed: false };
}

/** Copies a key: a loop beats Buffer#copy's call overhead for the short keys most records have. */
function copyBytes(from: Buffer, to: Buffer, at: number, length: number): void {
  if (length > 32) {
    from.copy(to, at, 0, length);
    return;
  }
  for (let i = 0; i < length; i++) to[at + i] = from[i]!;
}
