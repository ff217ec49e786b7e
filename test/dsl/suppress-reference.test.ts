import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, Suppressed, TopologyTestDriver } from '../../src/index.js';

const s = Serdes.string();
const n = Serdes.int64();

type Input = { key: string; ts: number };

/**
 * untilTimeLimit as specified: a key's latest count goes out `wait` of stream time after its first
 * buffered update (keys due together in the order they were first buffered); a record already
 * due goes straight through after everything due; over maxRecords, the earliest-due keys go early.
 */
function reference(inputs: Input[], wait: number, maxRecords: number): { key: string; value: number }[] {
  const counts = new Map<string, number>();
  const buffer = new Map<string, { evictAt: number; seq: number; value: number }>();
  const out: { key: string; value: number }[] = [];
  let streamTime = -1;
  let seq = 0;
  const evict = (force: boolean) => {
    const order = [...buffer].sort(([, a], [, b]) => a.evictAt - b.evictAt || a.seq - b.seq);
    for (const [key, e] of order) {
      if (e.evictAt > streamTime && !(force && buffer.size > maxRecords)) break;
      out.push({ key, value: e.value });
      buffer.delete(key);
    }
  };
  for (const { key, ts } of inputs) {
    const value = (counts.get(key) ?? 0) + 1;
    counts.set(key, value);
    streamTime = Math.max(streamTime, ts);
    if (ts + wait <= streamTime) {
      evict(false);
      out.push({ key, value });
      continue;
    }
    const held = buffer.get(key);
    if (held !== undefined) held.value = value;
    else buffer.set(key, { evictAt: ts + wait, seq: seq++, value });
    evict(true);
  }
  return out;
}

describe('suppress untilTimeLimit against a reference model', () => {
  it('emits the same counts in the same order for random streams, waits and buffer limits (property)', async () => {
    const inputs = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), ts: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(inputs, fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), async (records, wait, maxRecords) => {
        const builder = new StreamsBuilder();
        builder
          .stream('in', { key: s, value: s })
          .groupByKey()
          .count()
          .suppress(Suppressed.untilTimeLimit(wait, maxRecords === undefined ? {} : { maxRecords }))
          .toStream()
          .to('out', { key: s, value: n });
        const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ref' });
        try {
          const input = driver.createInputTopic('in', s, s);
          for (const r of records) await input.pipeInput(r.key, 'x', r.ts);
          expect(driver.createOutputTopic('out', s, n).readKeyValuesToList()).toEqual(reference(records, wait, maxRecords ?? Number.MAX_SAFE_INTEGER));
        } finally {
          await driver.close();
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);
});
