import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, type Serde } from '../../src/index.js';
import { windowItemsCodec } from '../../src/state/internals/window-items-codec.js';

/** The string serde without serializeInto, as a user's own serde may be. */
const plainStrings: Serde<string> = { serialize: (_t, s) => Buffer.from(s), deserialize: (_t, b) => b.toString() };

const items = fc.array(fc.record({ start: fc.integer({ min: 0, max: 2 ** 40 }), end: fc.integer({ min: 0, max: 2 ** 40 }), value: fc.string({ maxLength: 3000 }) }), { maxLength: 8 });

describe('window items codec', () => {
  it.each([
    ['a serde that writes in place', Serdes.string()],
    ['a serde without serializeInto', plainStrings],
  ])('decodes what it encoded, across scratch-buffer growth (%s)', (_name, serde) => {
    const codec = windowItemsCodec(serde, 'app-store-changelog');
    fc.assert(
      fc.property(fc.array(items, { minLength: 1, maxLength: 5 }), (buckets) => {
        // Encoded one after another, as a commit does: an earlier result must not change later.
        const encoded = buckets.map((b) => codec.encode(b));
        buckets.forEach((b, i) => expect(codec.decode(encoded[i]!)).toEqual(b));
      }),
    );
  });
});
