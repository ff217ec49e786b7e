import { Named, Serdes, StreamRecord, StreamsBuilder, type KStream, type ProcessorContext } from '../../src/index.js';

/** The stateless-operator cases every backend must agree on (driver, EmbeddedLog, KafkaLog). */
export type Case = {
  name: string;
  /** `t` gives a topic's real name (a unique prefix on a shared Kafka cluster). */
  build: (input: KStream<string, string>, builder: StreamsBuilder, t: (name: string) => string) => void;
  inputs: [key: string | null, value: string, timestamp: number][];
  /** Expected records per output topic, in order. */
  expected: Record<string, [key: string | null, value: string][]>;
};

export const s = Serdes.string();
const words = (v: string) => v.split(' ');

export const cases: Case[] = [
  { name: 'filter', build: (i, _b, t) => i.filter((_k, v) => v.length > 2).to(t('out')), inputs: [['a', 'xy', 1], ['b', 'xyz', 2]], expected: { out: [['b', 'xyz']] } },
  { name: 'filterNot', build: (i, _b, t) => i.filterNot((_k, v) => v.length > 2).to(t('out')), inputs: [['a', 'xy', 1], ['b', 'xyz', 2]], expected: { out: [['a', 'xy']] } },
  { name: 'map', build: (i, _b, t) => i.map((k, v) => [v, k + '!'] as const).to(t('out'), { key: s, value: s }), inputs: [['a', 'x', 1], ['b', 'y', 2]], expected: { out: [['x', 'a!'], ['y', 'b!']] } },
  { name: 'mapValues', build: (i, _b, t) => i.mapValues((k, v) => `${k}:${v.toUpperCase()}`).to(t('out'), { value: s }), inputs: [['a', 'x', 1]], expected: { out: [['a', 'a:X']] } },
  { name: 'selectKey', build: (i, _b, t) => i.selectKey((_k, v) => v[0]!).to(t('out'), { key: s }), inputs: [['a', 'xy', 1], ['b', 'zw', 2]], expected: { out: [['x', 'xy'], ['z', 'zw']] } },
  {
    name: 'flatMap',
    build: (i, _b, t) => i.flatMap((k, v) => words(v).map((w) => [w, k] as const)).to(t('out'), { key: s, value: s }),
    inputs: [['a', 'p q', 1], ['b', 'r', 2]],
    expected: { out: [['p', 'a'], ['q', 'a'], ['r', 'b']] },
  },
  { name: 'flatMapValues', build: (i, _b, t) => i.flatMapValues((_k, v) => words(v)).to(t('out'), { value: s }), inputs: [['a', 'p q', 1]], expected: { out: [['a', 'p'], ['a', 'q']] } },
  {
    name: 'peek and foreach see every record',
    build: (i, _b, t) => {
      const seen: string[] = [];
      i.peek((_k, v) => void seen.push(v)).foreach((_k, v) => void seen.push(v));
      i.mapValues(() => '').flatMapValues(() => seen.splice(0)).to(t('out'), { value: s });
    },
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['a', 'x'], ['a', 'x'], ['b', 'y'], ['b', 'y']] },
  },
  {
    name: 'split into branches and a default branch',
    build: (i, _b, t) => {
      const branches = i
        .split(Named.as('route-'))
        .branch((_k, v) => v.startsWith('a'), { name: 'a' })
        .branch((_k, v) => v.startsWith('b'), { withConsumer: (b) => b.to(t('out-b')) })
        .defaultBranch({ name: 'rest' });
      branches['route-a']!.to(t('out-a'));
      branches['route-rest']!.to(t('out-rest'));
    },
    inputs: [['1', 'apple', 1], ['2', 'banana', 2], ['3', 'cherry', 3], ['4', 'avocado', 4]],
    expected: { 'out-a': [['1', 'apple'], ['4', 'avocado']], 'out-b': [['2', 'banana']], 'out-rest': [['3', 'cherry']] },
  },
  {
    name: 'merge',
    build: (i, b, t) => i.merge(b.stream(t('in2'), { key: s, value: s })).to(t('out')),
    inputs: [['a', 'x', 1]],
    expected: { out: [['a', 'x']] },
  },
  {
    name: 'to with a topic extractor',
    build: (i, _b, t) => i.to((_k, v) => t(v.length > 1 ? 'out-long' : 'out-short')),
    inputs: [['a', 'x', 1], ['b', 'yy', 2]],
    expected: { 'out-short': [['a', 'x']], 'out-long': [['b', 'yy']] },
  },
  {
    name: 'repartition after a key change',
    build: (i, _b, t) => i.selectKey((_k, v) => v).repartition({ name: 'by-value', key: s }).mapValues((k, v) => `${k}/${v}`).to(t('out'), { key: s, value: s }),
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['x', 'x/x'], ['y', 'y/y']] },
  },
  {
    name: 'process (Processor API) with record metadata',
    build: (i, _b, t) =>
      i
        .process<string, string>(() => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c) => void (ctx = c),
            process: (r) => ctx.forward(new StreamRecord(r.key, `${r.value}@${ctx.recordMetadata()!.offset}`, r.timestamp)),
          };
        })
        .to(t('out'), { key: s, value: s }),
    inputs: [['a', 'x', 1], ['b', 'y', 2]],
    expected: { out: [['a', 'x@0'], ['b', 'y@1']] },
  },
  {
    name: 'print writes a line per record',
    build: (i, _b, t) => {
      const lines: string[] = [];
      i.print({ label: 'p', to: (l) => void lines.push(l) });
      i.flatMapValues(() => lines.splice(0)).to(t('out'), { value: s });
    },
    inputs: [['a', 'x', 1]],
    expected: { out: [['a', '[p]: a, x']] },
  },
];

export function topology(c: Case, t: (name: string) => string = (name) => name) {
  const builder = new StreamsBuilder();
  c.build(builder.stream(t('in'), { key: s, value: s }), builder, t);
  return builder.build();
}

