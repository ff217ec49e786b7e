import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryKeyMemo } from '../../src/state/internals/entry-key-memo.js';

/** The key serde a memo stands in front of: a double for numbers (so -0 and 0 differ), UTF-8 for strings. */
function serialize(key: unknown): Buffer {
  if (typeof key === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(key);
    return b;
  }
  return Buffer.from(String(key), 'utf8');
}

function entryKey(segment: number, keyBytes: Buffer): Buffer {
  const out = Buffer.alloc(8 + keyBytes.length);
  out.writeDoubleBE(segment, 0);
  keyBytes.copy(out, 8);
  return out;
}

/** The memo's two builders over `serialize`, counting serializations in `counter.n`. */
function builders(counter = { n: 0 }): [(key: unknown, segment: number) => Buffer, (entry: Buffer, segment: number) => Buffer] {
  return [(key, segment) => (counter.n++, entryKey(segment, serialize(key))), (entry, segment) => entryKey(segment, entry.subarray(8))];
}

describe('EntryKeyMemo', () => {
  it('gives the entry key a direct serialization gives, for any run of keys and segments (property)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', 'é', 0, -0, 1, Number.NaN), fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.constant({ k: 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 3 })), { maxLength: 12_000 }), (lookups) => {
        const memo = new EntryKeyMemo(...builders());
        for (const [k, segment] of lookups) {
          const expected = entryKey(segment, serialize(k));
          const got = memo.of(k, segment);
          expect(got.segment).toBe(segment);
          expect(got.bytes.equals(expected)).toBe(true);
          expect(got.id).toBe(expected.toString('latin1'));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('serializes a repeated key once, and again only when it is no longer remembered', () => {
    const serialized = { n: 0 };
    const memo = new EntryKeyMemo(...builders(serialized));
    for (let i = 0; i < 30_000; i++) memo.of(`key-${i % 100}`, Math.floor(i / 10_000));
    // 100 keys, each serialized when first seen; moving to segments 1 and 2 reuses their bytes.
    expect(serialized.n).toBe(100);
  });

  it('stops remembering keys that do not repeat, and still answers right', () => {
    const serialized = { n: 0 };
    const memo = new EntryKeyMemo(...builders(serialized));
    for (let i = 0; i < 100_000; i++) expect(memo.of(`unique-${i}`, 0).id).toBe(entryKey(0, serialize(`unique-${i}`)).toString('latin1'));
    expect(serialized.n).toBe(100_000);
    // Paused after its first sample of misses: a key repeated now is serialized each time.
    memo.of('again', 0);
    memo.of('again', 0);
    expect(serialized.n).toBe(100_002);
  });
});
