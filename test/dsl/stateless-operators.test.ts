import { afterEach, describe, expect, it } from 'vitest';
import { Named, Serdes, StreamRecord, StreamsBuilder, TopologyTestDriver, type KStream, type ProcessorContext } from '../../src/index.js';
import { runOnEmbeddedLog, type AppRun } from '../helpers/run-app.js';

type Case = {
  name: string;
  build: (input: KStream<string, string>, builder: StreamsBuilder) => void;
  inputs: [key: string | null, value: string, timestamp: number][];
  /** Expected records per output topic, in order. */
  expected: Record<string, [key: string | null, value: string][]>;
};

const s = Serdes.string();
const words = (v: string) => v.split(' ');

const cases: Case[] = [
  { name: 'filter', build: (i) => i.filter((_k, v) => v.length > 2).to('out'), inputs: [['a', 'xy', 1], ['b', 'xyz', 2]], expected: { out: [['b', 'xyz']] } },
  { name: 'filterNot', build: (i) => i.filterNot((_k, v) => v.length > 2).to('out'), inputs: [['a', 'xy', 1], ['b', 'xyz', 2]], expected: { out: [['a', 'xy']] } },
  { name: 'map', build: (i) => i.map((k, v) => [v, k + '!'] as const).to('out', { key: s, value: s }), inputs: [['a', 'x', 1], ['b', 'y', 2]], expected: { out: [['x', 'a!'], ['y', 'b!']] } },
  { name: 'mapValues', build: (i) => i.mapValues((k, v) => `${k}:${v.toUpperCase()}`).to('out', { value: s }), inputs: [['a', 'x', 1]], expected: { out: [['a', 'a:X']] } },
  { name: 'selectKey', build: (i) => i.selectKey((_k, v) => v[0]!).to('out', { key: s }), inputs: [['a', 'xy', 1], ['b', 'zw', 2]], expected: { out: [['x', 'xy'], ['z', 'zw']] } },
  {
    name: 'flatMap',
    build: (i) => i.flatMap((k, v) => words(v).map((w) => [w, k] as const)).to('out', { key: s, value: s }),
    inputs: [['a', 'p q', 1], ['b', 'r', 2]],
    expected: { out: [['p', 'a'], ['q', 'a'], ['r', 'b']] },
  },
  { name: 'flatMapValues', build: (i) => i.flatMapValues((_k, v) => words(v)).to('out', { value: s }), inputs: [['a', 'p q', 1]], expected: { out: [['a', 'p'], ['a', 'q']] } },
  {
    name: 'peek and foreach see every record',
    build: (i) => {
      const seen: string[] = [];
      i.peek((_k, v) => void seen.push(v)).foreach((_k, v) => void seen.push(v));
      i.mapValues(() => '').flatMapValues(() => seen.splice(0)).to('out', { value: s });
    },
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['a', 'x'], ['a', 'x'], ['b', 'y'], ['b', 'y']] },
  },
  {
    name: 'split into branches and a default branch',
    build: (i) => {
      const branches = i
        .split(Named.as('route-'))
        .branch((_k, v) => v.startsWith('a'), { name: 'a' })
        .branch((_k, v) => v.startsWith('b'), { withConsumer: (b) => b.to('out-b') })
        .defaultBranch({ name: 'rest' });
      branches['route-a']!.to('out-a');
      branches['route-rest']!.to('out-rest');
    },
    inputs: [['1', 'apple', 1], ['2', 'banana', 2], ['3', 'cherry', 3], ['4', 'avocado', 4]],
    expected: { 'out-a': [['1', 'apple'], ['4', 'avocado']], 'out-b': [['2', 'banana']], 'out-rest': [['3', 'cherry']] },
  },
  {
    name: 'merge',
    build: (i, b) => i.merge(b.stream('in2', { key: s, value: s })).to('out'),
    inputs: [['a', 'x', 1]],
    expected: { out: [['a', 'x']] },
  },
  {
    name: 'to with a topic extractor',
    build: (i) => i.to((_k, v) => (v.length > 1 ? 'out-long' : 'out-short')),
    inputs: [['a', 'x', 1], ['b', 'yy', 2]],
    expected: { 'out-short': [['a', 'x']], 'out-long': [['b', 'yy']] },
  },
  {
    name: 'repartition after a key change',
    build: (i) => i.selectKey((_k, v) => v).repartition({ name: 'by-value', key: s }).mapValues((k, v) => `${k}/${v}`).to('out', { key: s, value: s }),
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['x', 'x/x'], ['y', 'y/y']] },
  },
  {
    name: 'process (Processor API) with record metadata',
    build: (i) =>
      i
        .process<string, string>(() => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c) => void (ctx = c),
            process: (r) => ctx.forward(new StreamRecord(r.key, `${r.value}@${ctx.recordMetadata()!.offset}`, r.timestamp)),
          };
        })
        .to('out', { key: s, value: s }),
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['a', 'x@0'], ['b', 'y@1']] },
  },
  {
    name: 'print writes a line per record',
    build: (i) => {
      const lines: string[] = [];
      i.print({ label: 'p', to: (l) => void lines.push(l) });
      i.flatMapValues(() => lines.splice(0)).to('out', { value: s });
    },
    inputs: [['a', 'x', 1]],
    expected: { out: [['a', '[p]: a, x']] },
  },
];

function topology(c: Case) {
  const builder = new StreamsBuilder();
  c.build(builder.stream('in', { key: s, value: s }), builder);
  return builder.build();
}

describe('stateless operators', () => {
  let run: AppRun | undefined;
  afterEach(async () => {
    await run?.log.close();
    run = undefined;
  });

  describe.each(cases)('$name', (c) => {
    it('gives the expected output through TopologyTestDriver', async () => {
      const driver = new TopologyTestDriver(topology(c), { defaultKeySerde: s, defaultValueSerde: s });
      const input = driver.createInputTopic('in', s, s);
      driver.createInputTopic('in2', s, s);
      const outputs = Object.keys(c.expected).map((t) => [t, driver.createOutputTopic(t, s, s)] as const);
      for (const [k, v, ts] of c.inputs) await input.pipeInput(k, v, ts);
      for (const [topic, out] of outputs) expect(out.readKeyValuesToList().map((r) => [r.key, r.value]), topic).toEqual(c.expected[topic]);
      await driver.close();
    });

    it('gives the same output as a StreamsApp on EmbeddedLog', async () => {
      const topics: Record<string, number> = { in: 1, in2: 1 };
      for (const t of Object.keys(c.expected)) topics[t] = 1;
      const inputs = c.inputs.map(([k, v, ts]) => ({ topic: 'in', partition: 0, key: k === null ? null : Buffer.from(k), value: Buffer.from(v), timestamp: ts }));
      run = await runOnEmbeddedLog(topology(c), topics, inputs, { defaultKeySerde: s, defaultValueSerde: s });
      expect(run.app.state).toBe('NOT_RUNNING');
      for (const topic of Object.keys(c.expected)) {
        expect(run.outputs.get(topic)!.map((r) => [r.key?.toString() ?? null, r.value!.toString()]), topic).toEqual(c.expected[topic]);
      }
    });
  });
});
