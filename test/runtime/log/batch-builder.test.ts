import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog, InvalidRecordError, Serdes, UnknownPartitionError, type LogRecord, type ProducerRecord } from '../../../src/index.js';
import { BatchBuilder, type BytesWriter } from '../../../src/runtime/log/batch-builder.js';
import { partitionForKey } from '../../../src/runtime/log/murmur2.js';
import { disposeTempLogs, openTempLog } from '../../helpers/temp-log.js';
import { readAll } from '../../helpers/read-all.js';

// A stream task serializes what its sinks write straight into EmbeddedLog batches (BatchBuilder).
// Whatever goes that way must land exactly where, and as, a plain produce of the records puts it.


async function openLog(): Promise<EmbeddedLog> {
  const log = await openTempLog('tributary-builder-');
  await log.createTopic('a', { partitions: 3 });
  await log.createTopic('b', { partitions: 3 });
  return log;
}

/** Writes Buffers as they are, as a serde's serializeInto would: -1 when they do not fit. */
const bufferWriter: BytesWriter = {
  serializeInto: (_topic, data, target, offset) => {
    const bytes = data as Buffer;
    return target.length - offset < bytes.length ? -1 : bytes.copy(target, offset);
  },
};

const SHAPE = { partitions: 3, compacted: false };

function add(builder: BatchBuilder, r: ProducerRecord): void {
  builder.add(r.topic, SHAPE, r.partition, bufferWriter, r.key, bufferWriter, r.value, r.timestamp!, r.headers ?? {});
}

function describeRecord(r: LogRecord): string {
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}:${v.toString('hex')}`).join(',');
  return `${r.topic}/${r.partition}@${r.offset} ${r.key?.toString('hex') ?? 'null'}=${r.value?.toString('hex') ?? 'null'} t${r.timestamp} {${headers}}`;
}

async function contents(log: EmbeddedLog): Promise<string[]> {
  const out: string[] = [];
  for (const topic of ['a', 'b']) for (let p = 0; p < 3; p++) for (const r of await readAll(log, topic, p, 'read_uncommitted')) out.push(describeRecord(r));
  return out;
}

// Mostly small values; some far larger than a partition's first buffer (16 KiB), so that
// buffers grow in the middle of a record, before and after its headers.
const small = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const large = fc.integer({ min: 10_000, max: 70_000 }).map((n) => Buffer.alloc(n, n % 251));
const record = fc.record(
  {
    topic: fc.constantFrom('a', 'b'),
    key: fc.option(fc.oneof({ weight: 5, arbitrary: small }, { weight: 1, arbitrary: fc.integer({ min: 33, max: 3000 }).map((n) => Buffer.alloc(n, 7)) }), { nil: null }),
    value: fc.option(fc.oneof({ weight: 5, arbitrary: small }, { weight: 1, arbitrary: large }), { nil: null }),
    partition: fc.integer({ min: 0, max: 2 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 41 }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(small, large), { maxKeys: 2 }),
  },
  { requiredKeys: ['topic', 'key', 'value', 'timestamp'] },
);
const calls = fc.array(fc.array(record, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 5 });

describe('BatchBuilder', () => {
  it('lands every record where, and as, a plain produce of it does, call after call (property)', async () => {
    await fc.assert(
      fc.asyncProperty(calls, async (produceCalls) => {
        const plain = await openLog();
        const built = await openLog();
        const builder = new BatchBuilder();
        for (const records of produceCalls) {
          await plain.produce(records);
          for (const r of records) add(builder, r);
          expect(builder.size).toBe(records.length);
          expect(await built.produceEncoded(builder.take()!)).not.toBeNull();
          expect(builder.size).toBe(0);
        }
        expect(await contents(built)).toEqual(await contents(plain));
        await disposeTempLogs();
      }),
      { numRuns: 40 },
    );
  });

  it('partitions a key written by a serde by murmur2 of its bytes, as a Kafka producer does', () => {
    const builder = new BatchBuilder();
    const keys = Array.from({ length: 50 }, (_, i) => `user-${i}-ü`);
    const string = Serdes.string() as unknown as BytesWriter;
    for (const k of keys) builder.add('a', { partitions: 7, compacted: false }, undefined, string, k, string, `v-${k}`, 1, {});
    const encoded = builder.take()!;
    const placed = new Map<number, number>();
    for (let b = 0; b < encoded.layout.length; b += 4) placed.set(encoded.layout[b + 1]!, encoded.layout[b + 3]!);
    const expected = new Set(keys.map((k) => partitionForKey(Buffer.from(k), 7)));
    expect(new Set(placed.keys())).toEqual(expected);
  });

  it('adds nothing for a record it refuses or whose serializer throws, and stays usable', async () => {
    const log = await openLog();
    await log.createTopic('c', { partitions: 1, cleanupPolicy: 'compact' });
    const builder = new BatchBuilder();
    const failing: BytesWriter = { serializeInto: () => { throw new Error('cannot serialize'); } };
    add(builder, { topic: 'a', partition: 1, key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 5 });
    expect(() => builder.add('a', SHAPE, 1, bufferWriter, Buffer.from('k2'), failing, 'x', 6, {})).toThrow('cannot serialize');
    expect(() => builder.add('b', SHAPE, undefined, bufferWriter, Buffer.from('k3'), failing, 'x', 6, {})).toThrow('cannot serialize');
    expect(() => builder.add('c', { partitions: 1, compacted: true }, undefined, bufferWriter, null, bufferWriter, Buffer.from('v'), 6, {})).toThrow(InvalidRecordError);
    expect(() => builder.add('a', SHAPE, 3, bufferWriter, null, bufferWriter, null, 6, {})).toThrow(UnknownPartitionError);
    add(builder, { topic: 'a', partition: 1, key: Buffer.from('k4'), value: null, timestamp: 7 });
    expect(builder.size).toBe(2);
    expect(await log.produceEncoded(builder.take()!)).not.toBeNull();
    const records = await readAll(log, 'a', 1, 'read_uncommitted');
    expect(records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestamp])).toEqual([
      [0, 'k1', 'v1', 5],
      [1, 'k4', null, 7],
    ]);
    expect(await contents(log)).toHaveLength(2);
  });

  it('take gives nothing for an empty call', () => {
    expect(new BatchBuilder().take()).toBeUndefined();
  });
});
