import { checkRecordFields } from '../../log/produce-plan.js';
import type { LogRecord, ProducerRecord } from '../../log/partitioned-log.js';
import { EMPTY_HEADERS, headersSize, readHeaders, writeHeaders } from '../../log/record-batch.js';

/**
 * Records packed into one buffer to cross between threads in a single transferable: cloning
 * thousands of small objects, each with its own Buffers, costs far more than a copy of the bytes.
 *
 * Per record: u16 topic index, i32 partition (-1: none), f64 offset (NaN: none), f64 timestamp
 * (NaN: none), i32 key length (-1: null), key, i32 value length (-1: null), value, u16 header
 * count, then per header u16 name length, name (utf8), i32 value length, value (the headers as
 * record-batch.ts writes them). Little-endian.
 */
export type PackedRecords = { bytes: Uint8Array; topics: string[]; count: number };

const FIXED_BYTES = 32;

/** Packs records; a record a log would refuse (a key that is not a Buffer, …) raises its InvalidRecordError here. */
export function packRecords(records: readonly (ProducerRecord | LogRecord)[]): PackedRecords {
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    checkRecordFields(r, i, r.topic);
    size += FIXED_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0) + headersSize(r.headers);
  }
  // Not from Buffer's shared pool: the whole ArrayBuffer is handed to the other thread.
  const buf = Buffer.allocUnsafeSlow(size);
  const view = new DataView(buf.buffer, buf.byteOffset, size);
  let pos = 0;
  for (const r of records) {
    let t = topicIndex.get(r.topic);
    if (t === undefined) {
      t = topics.length;
      topics.push(r.topic);
      topicIndex.set(r.topic, t);
    }
    view.setUint16(pos, t, true);
    view.setInt32(pos + 2, r.partition ?? -1, true);
    view.setFloat64(pos + 6, 'offset' in r ? r.offset : NaN, true);
    view.setFloat64(pos + 14, r.timestamp ?? NaN, true);
    pos = writeBytes(buf, view, pos + 22, r.key);
    pos = writeBytes(buf, view, pos, r.value);
    pos = writeHeaders(buf, pos, r.headers);
  }
  return { bytes: buf, topics, count: records.length };
}

function writeBytes(buf: Buffer, view: DataView, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    view.setInt32(pos, -1, true);
    return pos + 4;
  }
  view.setInt32(pos, bytes.length, true);
  buf.set(bytes, pos + 4);
  return pos + 4 + bytes.length;
}

/** Unpacks records; keys, values and headers are views of the packed bytes (no copies). */
export function unpackRecords(packed: PackedRecords): ProducerRecord[] {
  return unpack(packed, false) as ProducerRecord[];
}

/** Unpacks records packed from LogRecords (offsets, timestamps and headers all present). */
export function unpackLogRecords(packed: PackedRecords): LogRecord[] {
  return unpack(packed, true) as LogRecord[];
}

function unpack(packed: PackedRecords, logRecords: boolean): (ProducerRecord | LogRecord)[] {
  const buf = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const out: (ProducerRecord | LogRecord)[] = new Array(packed.count);
  let pos = 0;
  for (let i = 0; i < packed.count; i++) {
    const topic = packed.topics[view.getUint16(pos, true)]!;
    const partition = view.getInt32(pos + 2, true);
    const offset = view.getFloat64(pos + 6, true);
    const timestamp = view.getFloat64(pos + 14, true);
    pos += 22;
    const keyLength = view.getInt32(pos, true);
    const key = keyLength < 0 ? null : buf.subarray(pos + 4, pos + 4 + keyLength);
    pos += 4 + Math.max(0, keyLength);
    const valueLength = view.getInt32(pos, true);
    const value = valueLength < 0 ? null : buf.subarray(pos + 4, pos + 4 + valueLength);
    pos += 4 + Math.max(0, valueLength);
    const headerCount = view.getUint16(pos, true);
    pos += 2;
    let headers = EMPTY_HEADERS;
    if (headerCount > 0) {
      const read = readHeaders(buf, pos, headerCount, buf.length);
      if (read === null) throw new Error('Packed records run past their buffer');
      headers = read.headers;
      pos = read.end;
    }
    if (logRecords) {
      out[i] = { topic, partition, offset, key, value, timestamp, headers };
    } else {
      const record: ProducerRecord = { topic, key, value };
      if (partition >= 0) record.partition = partition;
      if (!Number.isNaN(timestamp)) record.timestamp = timestamp;
      if (headerCount > 0) record.headers = headers;
      out[i] = record;
    }
  }
  return out;
}
