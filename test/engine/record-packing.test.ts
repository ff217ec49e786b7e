import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError, type LogRecord, type ProducerRecord } from '../../src/index.js';
import { packRecords, unpackLogRecords, unpackRecords } from '../../src/runtime/engine/threads/record-packing.js';

const bytes = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null });
const headers = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)), { maxKeys: 3 });
const producerRecord: fc.Arbitrary<ProducerRecord> = fc.record(
  { topic: fc.constantFrom('a', 'b', 'topic-ü'), key: bytes, value: bytes, partition: fc.nat(63), timestamp: fc.nat(), headers },
  { requiredKeys: ['topic', 'key', 'value'] },
);

describe('record packing (records crossing between threads)', () => {
  it('gives back the records it packed, field by field, with absent fields still absent', () => {
    fc.assert(
      fc.property(fc.array(producerRecord, { maxLength: 60 }), (records) => {
        const packed = packRecords(records);
        expect(packed.bytes.buffer.byteLength).toBe(packed.bytes.byteLength); // the whole ArrayBuffer can move
        const back = unpackRecords({ ...packed, bytes: new Uint8Array(packed.bytes) });
        const normal = (r: ProducerRecord) => ({ ...r, ...(r.headers !== undefined && Object.keys(r.headers).length === 0 && { headers: undefined }) });
        expect(back.map((r) => JSON.stringify(normal(r)))).toEqual(records.map((r) => JSON.stringify(normal(r))));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps offsets, timestamps and headers of log records', () => {
    const records: LogRecord[] = [
      { topic: 't', partition: 3, offset: 17, key: Buffer.from('k'), value: null, timestamp: 5, headers: { h: Buffer.from('v') } },
      { topic: 't', partition: 3, offset: 18, key: null, value: Buffer.alloc(0), timestamp: 6, headers: {} },
    ];
    expect(unpackLogRecords(packRecords(records))).toEqual(records);
  });

  it('refuses a record a log would refuse, before packing anything', () => {
    expect(() => packRecords([{ topic: 't', key: 'not bytes' as unknown as Buffer, value: null }])).toThrow(InvalidRecordError);
  });
});
