import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows, TopologyTestDriver } from '../../src/index.js';

const s = Serdes.string();

type Input = { key: string; value: number; ts: number };

/**
 * The reference: records in arrival order; stream time is the largest timestamp so far; a record
 * is added to each window [start, start + size) containing it unless stream time >= end + grace.
 * Result: the sum per (key, window).
 */
function reference(inputs: Input[], size: number, advance: number, grace: number): Map<string, number> {
  const sums = new Map<string, number>();
  let streamTime = -1;
  for (const r of inputs) {
    streamTime = Math.max(streamTime, r.ts);
    for (let start = Math.floor(Math.max(0, r.ts - size + advance) / advance) * advance; start <= r.ts; start += advance) {
      if (start + size + grace <= streamTime) continue;
      const id = `${r.key}@${start}`;
      sums.set(id, (sums.get(id) ?? 0) + r.value);
    }
  }
  return sums;
}

describe('windowed aggregation against a reference model', () => {
  it('final result per key and window equals the reference fold, with out-of-order and late records (property)', async () => {
    const input = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), value: fc.integer({ min: 1, max: 9 }), ts: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 60 });
    const windows = fc.record({ size: fc.integer({ min: 1, max: 40 }), hops: fc.integer({ min: 1, max: 4 }), grace: fc.integer({ min: 0, max: 30 }), caching: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(input, windows, async (inputs, w) => {
        const advance = Math.max(1, Math.floor(w.size / w.hops));
        const builder = new StreamsBuilder();
        builder
          .stream('in', { key: s, value: Serdes.int32() })
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(w.size, w.grace).advanceBy(advance))
          .aggregate(() => 0, (_k, v, sum) => sum + v, { name: 'sums', valueSerde: Serdes.int64(), caching: w.caching })
          .toStream()
          .to('out', { key: Serdes.windowed(s), value: Serdes.int64() });
        const driver = new TopologyTestDriver(builder.build());
        const topic = driver.createInputTopic('in', s, Serdes.int32());
        for (const r of inputs) await topic.pipeInput(r.key, r.value, r.ts);
        const latest = new Map<string, number>();
        for (const { key, value } of driver.createOutputTopic('out', Serdes.windowed(s), Serdes.int64()).readKeyValuesToList()) {
          expect(key.window.end - key.window.start).toBe(w.size);
          latest.set(`${key.key}@${key.window.start}`, value);
        }
        expect(latest).toEqual(reference(inputs, w.size, advance, w.grace));
        await driver.close();
      }),
      { numRuns: 60 },
    );
  });
});
