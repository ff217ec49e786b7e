import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/runtime/log/partitioned-log.js';
import { decodeRecords, encodeBatch, readBatchHeader, recordSize, type BatchInput } from '../../../src/runtime/log/record-batch.js';
import { RecordView } from '../../../src/runtime/log/record-view.js';

const bytes = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null });
const record = fc.record({
  key: bytes,
  value: bytes,
  timestamp: fc.nat(2 ** 40),
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)), { maxKeys: 2 }),
});

function decode(records: BatchInput[], from: number, views: boolean): LogRecord[] {
  const size = records.reduce((n, r) => n + recordSize(r), 0);
  const { batch } = encodeBatch(records, null, size, 100, 0, 1);
  const copy = Buffer.from(batch); // encodeBatch's buffer is reused by the next call
  const out: LogRecord[] = [];
  expect(decodeRecords(copy, 0, readBatchHeader(copy, 0)!, 't', 3, from, Infinity, out, views)).toBe(true);
  return out;
}

const plain = (r: LogRecord) => ({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });

describe('RecordView', () => {
  it('decodes to the same records as plain decoding, key and value bytes included (property)', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), fc.nat(25), (records, skip) => {
        const views = decode(records, 100 + skip, true);
        expect(views.every((r) => r instanceof RecordView)).toBe(true);
        expect(views.map(plain)).toEqual(decode(records, 100 + skip, false).map(plain));
      }),
    );
  });

  it('hands readers the exact key and value bytes in place, with the topic', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
        const views = decode(records, 0, true) as RecordView[];
        const copy = (topic: string, buffer: Buffer, start: number, end: number) => ({ topic, bytes: Buffer.from(buffer.subarray(start, end)) });
        views.forEach((view, i) => {
          expect(view.readKey(copy)).toEqual(records[i]!.key === null ? null : { topic: 't', bytes: records[i]!.key });
          expect(view.readValue(copy)).toEqual(records[i]!.value === null ? null : { topic: 't', bytes: records[i]!.value });
        });
      }),
    );
  });

  it('keeps null keys and values null, and its buffer out of sight when spread or logged', () => {
    const [view] = decode([{ key: null, value: null, timestamp: 5, headers: {} }], 0, true) as RecordView[];
    expect(view!.key).toBeNull();
    expect(view!.readValue(() => 'read')).toBeNull();
    expect(Object.keys({ ...view })).toEqual(['topic', 'partition', 'offset', 'timestamp', 'headers']);
  });
});
