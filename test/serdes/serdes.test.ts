import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError, Serdes, type Serde } from '../../src/index.js';

function roundTrips<T>(serde: Serde<T>, arb: fc.Arbitrary<T>) {
  fc.assert(
    fc.property(arb, (v) => {
      expect(serde.deserialize('t', serde.serialize('t', v))).toEqual(v);
    }),
  );
}

describe('Serdes', () => {
  it('round-trip their values (property)', () => {
    roundTrips(Serdes.string(), fc.string());
    roundTrips(Serdes.int32(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    roundTrips(Serdes.int64(), fc.maxSafeInteger());
    roundTrips(Serdes.double(), fc.double({ noNaN: true }));
    roundTrips(Serdes.json<{ a: number; b: string[] }>(), fc.record({ a: fc.integer(), b: fc.array(fc.string()) }));
    roundTrips(Serdes.uuid(), fc.uuid());
  });

  it('read in place with deserializeRange what deserialize reads from the slice (property)', () => {
    const inPlace = <T>(serde: Serde<T>, arb: fc.Arbitrary<T>) =>
      fc.assert(
        fc.property(arb, fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (v, before, after) => {
          const bytes = serde.serialize('t', v);
          const buffer = Buffer.concat([before, bytes, after]);
          expect(serde.deserializeRange!('t', buffer, before.length, before.length + bytes.length)).toEqual(serde.deserialize('t', bytes));
        }),
      );
    inPlace(Serdes.string(), fc.string({ unit: 'grapheme' }));
    inPlace(Serdes.json<unknown>(), fc.jsonValue());
    inPlace(Serdes.int32(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    inPlace(Serdes.int64(), fc.maxSafeInteger());
    inPlace(Serdes.double(), fc.double());
    expect(() => Serdes.int64().deserializeRange!('counts', Buffer.alloc(12), 2, 9)).toThrow(/expects 8 bytes from topic "counts", got 7/);
    expect(() => Serdes.json().deserializeRange!('payments', Buffer.from('xx{not json'), 2, 11)).toThrow(SerializationError);
  });

  it('write in place with serializeInto what serialize returns, or -1 when the room left may be short (property)', () => {
    const inPlace = <T>(serde: Serde<T>, arb: fc.Arbitrary<T>) =>
      fc.assert(
        fc.property(arb, fc.nat({ max: 8 }), fc.nat({ max: 400 }), (v, offset, room) => {
          const expected = serde.serialize('t', v);
          const target = Buffer.alloc(offset + room, 0xee);
          const n = serde.serializeInto!('t', v, target, offset);
          if (n === -1) expect(room).toBeLessThan(expected.length * 3 + 16);
          else {
            expect(target.subarray(offset, offset + n)).toEqual(expected);
            expect(target.subarray(0, offset).every((b) => b === 0xee)).toBe(true);
          }
          // With ample room it must write.
          const ample = Buffer.alloc(offset + expected.length * 3 + 16);
          expect(ample.subarray(offset, offset + serde.serializeInto!('t', v, ample, offset))).toEqual(expected);
        }),
      );
    inPlace(Serdes.string(), fc.string({ unit: 'grapheme', maxLength: 120 }));
    inPlace(Serdes.json<unknown>(), fc.jsonValue({ maxDepth: 2 }));
    inPlace(Serdes.int32(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    inPlace(Serdes.int64(), fc.maxSafeInteger());
    inPlace(Serdes.double(), fc.double());
    inPlace(Serdes.bytes(), fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)));
    inPlace(Serdes.uuid(), fc.uuid());
    inPlace(Serdes.windowed(Serdes.string()), fc.record({ key: fc.string({ maxLength: 30 }), window: fc.record({ start: fc.maxSafeNat(), end: fc.maxSafeNat() }) }));
    inPlace(Serdes.windowed<number>({ serialize: (t, n) => Serdes.int32().serialize(t, n), deserialize: (t, b) => Serdes.int32().deserialize(t, b) }), fc.record({ key: fc.integer(), window: fc.record({ start: fc.nat(), end: fc.nat() }) }));
    expect(() => Serdes.string().serializeInto!('t', 5 as unknown as string, Buffer.alloc(10), 0)).toThrow(SerializationError);
    expect(() => Serdes.json().serializeInto!('t', undefined, Buffer.alloc(10), 0)).toThrow(SerializationError);
  });

  it('json: values JSON cannot encode (a BigInt, a cycle) raise SerializationError, not a bare TypeError', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    for (const value of [10n, cyclic, { n: 1n }]) {
      expect(() => Serdes.json().serialize('t', value)).toThrow(SerializationError);
      expect(() => Serdes.json().serializeInto!('t', value, Buffer.alloc(64), 0)).toThrow(SerializationError);
    }
  });

  it("write numbers big-endian, as Kafka's IntegerSerde and LongSerde do", () => {
    expect(Serdes.int32().serialize('t', 1).toString('hex')).toBe('00000001');
    expect(Serdes.int64().serialize('t', -2).toString('hex')).toBe('fffffffffffffffe');
  });

  it('reject bytes that do not decode with a SerializationError naming the topic', () => {
    const cases: [Serde<unknown>, Buffer][] = [
      [Serdes.int32() as Serde<unknown>, Buffer.from([1, 2, 3])],
      [Serdes.int64() as Serde<unknown>, Buffer.alloc(4)],
      [Serdes.json() as Serde<unknown>, Buffer.from('{not json')],
      [Serdes.uuid() as Serde<unknown>, Buffer.from('not-a-uuid')],
    ];
    for (const [serde, bytes] of cases) {
      const error = (() => {
        try {
          serde.deserialize('payments', bytes);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).code).toBe('SERIALIZATION');
      expect((error as Error).message).toContain('payments');
    }
  });

  it('reject values they cannot encode', () => {
    expect(() => Serdes.int32().serialize('t', 2 ** 31)).toThrow(SerializationError);
    expect(() => Serdes.int64().serialize('t', 1.5)).toThrow(SerializationError);
    expect(() => Serdes.string().serialize('t', 5 as unknown as string)).toThrow(SerializationError);
  });
});

describe('int64 bytes without BigInt', () => {
  it('match the two\'s complement bytes Kafka writes, and read back, for every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const expected = Buffer.alloc(8);
        expected.writeBigInt64BE(BigInt(n));
        const bytes = Serdes.int64().serialize('t', n);
        expect(bytes.equals(expected)).toBe(true);
        expect(Serdes.int64().deserialize('t', bytes)).toBe(n);
      }),
      { numRuns: 2_000 },
    );
  });
});
