import { crc32c } from '@node-rs/crc32';
import { RecordView } from './record-view.js';
import type { LogRecord } from './partitioned-log.js';

/**
 * On-disk record batch, version 1 (little-endian). Fixed-width fields: they decode faster in
 * JavaScript than varints, and the size cost (~22 bytes a record) is small next to typical values.
 *
 *   0  u32 batchLength (whole batch, this field included)
 *   4  u32 crc32c of bytes [8, batchLength)
 *   8  u8  version            9 u8 attributes (bit 0: transactional)   10 u16 reserved
 *  12  u32 recordCount
 *  16  f64 baseOffset        24 u32 lastOffsetDelta                     28 u32 reserved
 *  32  f64 txnSeq (0 when not transactional)
 *  40  f64 maxTimestamp      48 f64 appendTime (wall clock when written)
 *  56  records: u32 offsetDelta, f64 timestamp, i32 keyLength (-1 = null), key,
 *      i32 valueLength (-1 = null), value, u16 headerCount, headers (u16 nameLength, name utf8,
 *      i32 valueLength, value)
 */
export const BATCH_HEADER_BYTES = 56;
export const BATCH_VERSION = 1;
const RECORD_OVERHEAD = 22;
const TRANSACTIONAL = 1;

export type BatchHeader = {
  length: number;
  transactional: boolean;
  recordCount: number;
  baseOffset: number;
  lastOffsetDelta: number;
  txnSeq: number;
  maxTimestamp: number;
  appendTime: number;
};

/** The fields of a record that a batch stores (a ProducerRecord or a LogRecord fits). */
export type BatchInput = {
  key: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Record<string, Buffer>;
};

/** The headers of a record that has none (shared, frozen). */
export const EMPTY_HEADERS: Record<string, Buffer> = Object.freeze({}) as Record<string, Buffer>;

/** Encoded size of headers as writeHeaders writes them, without their u16 count. */
export function headersSize(headers: Record<string, Buffer> | undefined): number {
  if (headers === undefined) return 0;
  let size = 0;
  for (const name in headers) size += 6 + Buffer.byteLength(name) + headers[name]!.length;
  return size;
}

/** Encoded size of one record (used to size a batch before writing it). */
export function recordSize(record: BatchInput): number {
  return RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0) + headersSize(record.headers);
}

let scratchBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * Encoding reuses one buffer: a batch is written to its file right after it is encoded, and
 * writing into warm memory is several times cheaper than touching a fresh allocation per batch.
 */
function scratch(length: number): Buffer {
  if (scratchBuffer.length < length) scratchBuffer = Buffer.allocUnsafe(Math.max(length, scratchBuffer.length * 2));
  return scratchBuffer.subarray(0, length);
}

/**
 * Encodes records into one batch. The returned buffer is only valid until the next call: write
 * it out (or copy it) before encoding again. Offsets are `baseOffset + i` unless `offsets` gives them
 * (compaction keeps original offsets, leaving gaps). `byteSize` is the sum of `recordSize`,
 * computed by the caller while it validated the records. A record without a timestamp gets
 * `appendTime`.
 */
export function encodeBatch(
  records: readonly BatchInput[],
  offsets: readonly number[] | null,
  byteSize: number,
  baseOffset: number,
  txnSeq: number,
  appendTime: number,
): { batch: Buffer; maxTimestamp: number; lastOffset: number } {
  const batch = scratch(BATCH_HEADER_BYTES + byteSize);
  return { batch, ...encodeBatchInto(batch, records, offsets, baseOffset, txnSeq, appendTime) };
}

/** encodeBatch into `target`, which is exactly `BATCH_HEADER_BYTES + byteSize` long. */
export function encodeBatchInto(
  target: Buffer,
  records: readonly BatchInput[],
  offsets: readonly number[] | null,
  baseOffset: number,
  txnSeq: number,
  appendTime: number,
): { maxTimestamp: number; lastOffset: number } {
  const buf = target;
  const length = target.length;
  // DataView setters compile to plain stores; Buffer's write* helpers cost a call and checks each.
  const view = new DataView(buf.buffer, buf.byteOffset, length);
  let pos = BATCH_HEADER_BYTES;
  let maxTimestamp = -1;
  let delta = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const timestamp = r.timestamp ?? appendTime;
    delta = offsets === null ? i : offsets[i]! - baseOffset;
    view.setUint32(pos, delta, true);
    view.setFloat64(pos + 4, timestamp, true);
    pos += 12;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const key = r.key;
    if (key === null) {
      view.setInt32(pos, -1, true);
      pos += 4;
    } else {
      view.setInt32(pos, key.length, true);
      buf.set(key, pos + 4);
      pos += 4 + key.length;
    }
    const value = r.value;
    if (value === null) {
      view.setInt32(pos, -1, true);
      pos += 4;
    } else {
      view.setInt32(pos, value.length, true);
      buf.set(value, pos + 4);
      pos += 4 + value.length;
    }
    if (r.headers === undefined) {
      view.setUint16(pos, 0, true);
      pos += 2;
    } else pos = writeHeaders(buf, pos, r.headers);
  }
  view.setUint32(0, length, true);
  view.setUint8(8, BATCH_VERSION);
  view.setUint16(10, 0, true);
  view.setUint32(12, records.length, true);
  view.setUint32(24, delta, true);
  view.setUint32(28, 0, true);
  view.setFloat64(40, maxTimestamp, true);
  stampBatch(buf, baseOffset, txnSeq, appendTime);
  return { maxTimestamp, lastOffset: baseOffset + delta };
}

/**
 * Sets the fields a batch gets when it is appended (base offset, transaction, append time) and
 * its checksum. A batch encoded elsewhere (a stream thread) is stamped by the log that writes it.
 */
export function stampBatch(batch: Buffer, baseOffset: number, txnSeq: number, appendTime: number): void {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.length);
  view.setUint8(9, txnSeq > 0 ? TRANSACTIONAL : 0);
  view.setFloat64(16, baseOffset, true);
  view.setFloat64(32, txnSeq, true);
  view.setFloat64(48, appendTime, true);
  view.setUint32(4, crc32c(batch.subarray(8)), true);
}

/** Writes a u16 header count at `start`, then each header (u16 name length, name, i32 length, value); returns the end. */
export function writeHeaders(buf: Buffer, start: number, headers: Record<string, Buffer> | undefined): number {
  let count = 0;
  let pos = start + 2;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name]!;
      const nameLength = buf.write(name, pos + 2, 'utf8');
      buf.writeUInt16LE(nameLength, pos);
      pos += 2 + nameLength;
      buf.writeInt32LE(value.length, pos);
      buf.set(value, pos + 4);
      pos += 4 + value.length;
      count++;
    }
  }
  buf.writeUInt16LE(count, start);
  return pos;
}

/** Reads a batch header at `pos`, or null when the bytes there cannot be a batch header. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader | null {
  if (pos + BATCH_HEADER_BYTES > buf.length) return null;
  const length = buf.readUInt32LE(pos);
  if (length < BATCH_HEADER_BYTES || buf.readUInt8(pos + 8) !== BATCH_VERSION) return null;
  return {
    length,
    transactional: (buf.readUInt8(pos + 9) & TRANSACTIONAL) !== 0,
    recordCount: buf.readUInt32LE(pos + 12),
    baseOffset: buf.readDoubleLE(pos + 16),
    lastOffsetDelta: buf.readUInt32LE(pos + 24),
    txnSeq: buf.readDoubleLE(pos + 32),
    maxTimestamp: buf.readDoubleLE(pos + 40),
    appendTime: buf.readDoubleLE(pos + 48),
  };
}

/** True when the batch at `pos` (whose header says `length` bytes) is whole and its checksum holds. */
export function batchChecksumHolds(buf: Buffer, pos: number, length: number): boolean {
  if (pos + length > buf.length) return false;
  return crc32c(buf.subarray(pos + 8, pos + length)) === buf.readUInt32LE(pos + 4);
}

/**
 * Decodes the records of a checked batch into `out`, skipping offsets below `fromOffset` and
 * stopping after `limit` records. Keys, values and headers are slices of `buf` (no copies);
 * with `views`, the records are RecordViews, which make the key and value slices only when read.
 * Returns false when the record structure runs past the batch (corruption the CRC missed).
 */
export function decodeRecords(
  buf: Buffer,
  pos: number,
  header: BatchHeader,
  topic: string,
  partition: number,
  fromOffset: number,
  limit: number,
  out: LogRecord[],
  views = false,
): boolean {
  const end = pos + header.length;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let p = pos + BATCH_HEADER_BYTES;
  for (let i = 0; i < header.recordCount && out.length < limit; i++) {
    if (p + RECORD_OVERHEAD > end) return false;
    const offset = header.baseOffset + view.getUint32(p, true);
    const timestamp = view.getFloat64(p + 4, true);
    const keyLength = view.getInt32(p + 12, true);
    p += 16;
    const keyStart = p;
    if (keyLength >= 0) p += keyLength;
    if (p + 4 > end) return false;
    const valueLength = view.getInt32(p, true);
    p += 4;
    const valueStart = p;
    if (valueLength >= 0) p += valueLength;
    if (p + 2 > end) return false;
    const headerCount = view.getUint16(p, true);
    p += 2;
    let headers = EMPTY_HEADERS;
    if (headerCount > 0) {
      const read = readHeaders(buf, p, headerCount, end);
      if (read === null) return false;
      headers = read.headers;
      p = read.end;
    }
    if (p > end) return false;
    if (offset < fromOffset) continue;
    if (views) out.push(new RecordView(topic, partition, offset, timestamp, headers, buf, keyStart, keyLength, valueStart, valueLength));
    else {
      const key = keyLength < 0 ? null : buf.subarray(keyStart, keyStart + keyLength);
      const value = valueLength < 0 ? null : buf.subarray(valueStart, valueStart + valueLength);
      out.push({ topic, partition, offset, key, value, timestamp, headers });
    }
  }
  return true;
}

/**
 * Reads `count` headers as writeHeaders wrote them, from `pos` (just past the count). Values are
 * slices of `buf`. Null when they run past `end`.
 */
export function readHeaders(buf: Buffer, pos: number, count: number, end: number): { headers: Record<string, Buffer>; end: number } | null {
  const headers: Record<string, Buffer> = {};
  let p = pos;
  for (let h = 0; h < count; h++) {
    const nameLength = buf.readUInt16LE(p);
    const name = buf.toString('utf8', p + 2, p + 2 + nameLength);
    p += 2 + nameLength;
    const length = buf.readInt32LE(p);
    headers[name] = buf.subarray(p + 4, p + 4 + length);
    p += 4 + length;
    if (p > end) return null;
  }
  return { headers, end: p };
}
