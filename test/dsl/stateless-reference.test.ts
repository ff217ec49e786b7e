import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyTestDriver, type KStream } from '../../src/index.js';
import { runOnEmbeddedLog } from '../helpers/run-app.js';

type KV = [string, string];
type Op =
  | { op: 'filter'; modulo: number }
  | { op: 'mapValues'; suffix: string }
  | { op: 'selectKey' }
  | { op: 'map' }
  | { op: 'flatMapValues'; copies: number }
  | { op: 'branchMerge'; modulo: number; suffix: string };

const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

/** The reference interpreter: the same operators over a plain array. */
function reference(ops: Op[], input: KV[]): KV[] {
  let records = input;
  for (const o of ops) {
    switch (o.op) {
      case 'filter': records = records.filter(([, v]) => hash(v) % o.modulo !== 0); break;
      case 'mapValues': records = records.map(([k, v]) => [k, v + o.suffix]); break;
      case 'selectKey': records = records.map(([, v]) => [v.slice(0, 2), v]); break;
      case 'map': records = records.map(([k, v]) => [v, k]); break;
      case 'flatMapValues': records = records.flatMap(([k, v]) => Array.from({ length: o.copies }, (_, i) => [k, `${v}${i}`] as KV)); break;
      case 'branchMerge': records = records.map(([k, v]) => (hash(k) % o.modulo === 0 ? [k, v + o.suffix] : [k, v])); break;
    }
  }
  return records;
}

/** The same chain as a topology. */
function apply(ops: Op[], stream: KStream<string, string>): KStream<string, string> {
  let s = stream;
  for (const o of ops) {
    switch (o.op) {
      case 'filter': s = s.filter((_k, v) => hash(v) % o.modulo !== 0); break;
      case 'mapValues': s = s.mapValues((_k, v) => v + o.suffix); break;
      case 'selectKey': s = s.selectKey((_k, v) => v.slice(0, 2)); break;
      case 'map': s = s.map((k, v) => [v, k] as [string, string]); break;
      case 'flatMapValues': s = s.flatMapValues((_k, v) => Array.from({ length: o.copies }, (_, i) => `${v}${i}`)); break;
      case 'branchMerge': {
        const b = s.split().branch((k) => hash(k) % o.modulo === 0, { name: 'hit' }).defaultBranch({ name: 'miss' });
        const [hit, miss] = Object.values(b) as [KStream<string, string>, KStream<string, string>];
        s = hit.mapValues((_k, v) => v + o.suffix).merge(miss);
        break;
      }
    }
  }
  return s;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('filter' as const), modulo: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ op: fc.constant('mapValues' as const), suffix: fc.string({ maxLength: 3 }) }),
  fc.record({ op: fc.constant('selectKey' as const) }),
  fc.record({ op: fc.constant('map' as const) }),
  fc.record({ op: fc.constant('flatMapValues' as const), copies: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('branchMerge' as const), modulo: fc.integer({ min: 1, max: 3 }), suffix: fc.string({ minLength: 1, maxLength: 2 }) }),
);
const inputArb = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ minLength: 1, maxLength: 6 })), { maxLength: 25 });

const s = Serdes.string();

function topologyFor(ops: Op[]) {
  const builder = new StreamsBuilder();
  apply(ops, builder.stream('in', { key: s, value: s })).to('out', { key: s, value: s });
  return builder.build();
}

describe('random chains of stateless operators', () => {
  it('property: the test driver gives what the plain-array reference gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 6 }), inputArb, async (ops, input) => {
        const driver = new TopologyTestDriver(topologyFor(ops));
        const pipe = driver.createInputTopic('in', s, s);
        const out = driver.createOutputTopic('out', s, s);
        for (const [i, [k, v]] of input.entries()) await pipe.pipeInput(k, v, i);
        expect(out.readKeyValuesToList().map((r) => [r.key, r.value])).toEqual(reference(ops, input));
        await driver.close();
      }),
      { numRuns: 100 },
    );
  });

  it('property: a StreamsApp on EmbeddedLog gives what the reference gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 5 }), inputArb, async (ops, input) => {
        const records = input.map(([k, v], i) => ({ topic: 'in', partition: 0, key: Buffer.from(k), value: Buffer.from(v), timestamp: i }));
        const run = await runOnEmbeddedLog(topologyFor(ops), { in: 1, out: 1 }, records);
        const got = run.outputs.get('out')!.map((r) => [r.key!.toString(), r.value!.toString()]);
        await run.log.close();
        expect(got).toEqual(reference(ops, input));
      }),
      { numRuns: 12 },
    );
  });
});
