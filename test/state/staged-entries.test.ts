import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBacking } from '../../src/state/internals/memory-backing.js';
import { StagedEntries } from '../../src/state/internals/staged-entries.js';

const codec = { encode: (v: string) => Buffer.from(v), decode: (b: Buffer) => b.toString() };

type Op = { kind: 'put'; key: number; value: string | undefined } | { kind: 'get'; key: number } | { kind: 'commit' } | { kind: 'discard' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.nat(40), value: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('get' as const), key: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('discard' as const) }) },
);

describe('StagedEntries', () => {
  it('reads what a reference model holds, with a committed-value cache far smaller than the keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 50, maxLength: 300 }), async (ops) => {
        const entries = new StagedEntries(new MemoryBacking(), codec, 8);
        let committed = new Map<number, string>();
        let staged = new Map<number, string | undefined>();
        for (const o of ops) {
          const key = 'key' in o ? Buffer.from(`k${o.key}`) : undefined;
          if (o.kind === 'put') {
            entries.put(key!, o.value, 0);
            staged.set(o.key, o.value);
          } else if (o.kind === 'get') {
            const expected = staged.has(o.key) ? staged.get(o.key) : committed.get(o.key);
            expect(entries.get(key!)).toBe(expected);
          } else if (o.kind === 'commit') {
            await entries.commit(undefined);
            committed = new Map(committed);
            for (const [k, v] of staged) v === undefined ? committed.delete(k) : committed.set(k, v);
            staged = new Map();
          } else {
            entries.discard();
            staged = new Map();
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
