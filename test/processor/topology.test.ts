import { describe, expect, it } from 'vitest';
import {
  Named,
  Serdes,
  StreamRecord,
  StreamsBuilder,
  Topology,
  TopologyError,
  TopologyTestDriver,
  type ProcessorContext,
  Stores,
  type KeyValueStore,
} from '../../src/index.js';

const s = Serdes.string();

describe('Topology', () => {
  it('describes sub-topologies as text with deterministic names, and as Mermaid', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', { key: s, value: s }).filter((_k, v) => v !== '').selectKey((_k, v) => v).repartition({ name: 'by-value' }).to('out');
    const topology = builder.build();
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])',
        '      --> KSTREAM-FILTER-0000000001',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-REPARTITION-SINK-0000000003',
        '      <-- KSTREAM-FILTER-0000000001',
        '    Sink: KSTREAM-REPARTITION-SINK-0000000003 (topic: by-value-repartition)',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '   Sub-topology: 1',
        '    Source: KSTREAM-REPARTITION-SOURCE-0000000004 (topics: [by-value-repartition])',
        '      --> KSTREAM-SINK-0000000005',
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)',
        '      <-- KSTREAM-REPARTITION-SOURCE-0000000004',
        '',
      ].join('\n'),
    );
    const mermaid = topology.describeMermaid();
    expect(mermaid.startsWith('flowchart TD\n')).toBe(true);
    expect(mermaid).toContain('subgraph sub0["Sub-topology 0"]');
    expect(mermaid).toContain('topic_in --> KSTREAM_SOURCE_0000000000');
    expect(mermaid).toContain('KSTREAM_SINK_0000000005 --> topic_out');
  });

  it('lists global stores after the sub-topologies, in text and in Mermaid', () => {
    const builder = new StreamsBuilder();
    const products = builder.globalTable('products', {}, { name: 'product-store' });
    builder.stream('orders').join(products, (k) => k, (o, p) => [o, p]).to('out');
    const topology = builder.build();
    expect(topology.describe()).toMatch(/\(topic: out\)\n.*\n   Global store: product-store \(topic: products; every instance loads all partitions; no tasks\)\n$/);
    expect(topology.describeMermaid()).toContain('topic_products --> store_product_store');
  });

  it('uses names given with Named and rejects a duplicate', () => {
    const builder = new StreamsBuilder();
    const input = builder.stream('in', { name: 'orders' });
    input.filter(() => true, Named.as('valid-orders')).to('out', { name: 'to-out' });
    expect(builder.build().describe()).toContain('Processor: valid-orders');
    expect(() => input.mapValues((_k, v) => v, Named.as('valid-orders'))).toThrow(TopologyError);
  });

  it('rejects an unknown parent, a sink as parent, and an unknown store, saying what to change', () => {
    const t = new Topology().addSource('src', ['in']).addSink('sink', 'out', {}, 'src');
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }), 'nope')).toThrow(/parent "nope", which does not exist/);
    expect(() => t.addProcessor('p', () => ({ process: () => undefined }), 'sink')).toThrow(/cannot follow sink "sink"/);
    t.addProcessor('p', () => ({ process: () => undefined }), 'src');
    expect(() => t.connectProcessorAndStateStores(['p', 'missing'])).toThrow(/store "missing", which was never added/);
  });

  it('rejects an empty topic name when the source or sink is added, not when the app starts', () => {
    expect(() => new Topology().addSource('src', ['in', ''])).toThrow(/Node "src" names topic "": a topic needs a non-empty name/);
    const t = new Topology().addSource('src', ['in']);
    expect(() => t.addSink('sink', '', {}, 'src')).toThrow(TopologyError);
    const builder = new StreamsBuilder();
    expect(() => builder.stream('')).toThrow(TopologyError);
    expect(() => builder.table('')).toThrow(TopologyError);
    expect(() => builder.globalTable('')).toThrow(TopologyError);
    expect(() => builder.stream('in', { key: s, value: s }).to('')).toThrow(TopologyError);
  });
});

/** A tiny counting store to exercise addStateStore/getStateStore plumbing. */
describe('Processor API through the test driver', () => {
  it('fires stream-time punctuators as record timestamps advance and wall-clock ones on advanceWallClockTime', async () => {
    const fired: string[] = [];
    const topology = new Topology()
      .addSource('src', ['in'], { keySerde: s, valueSerde: s })
      .addProcessor<string, string, string, string>('p', () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            c.schedule(10, 'stream-time', (t) => void fired.push(`stream@${t}`));
            c.schedule(1_000, 'wall-clock', (t) => {
              fired.push(`wall@${t}`);
              ctx.forward(new StreamRecord('tick', String(t), t));
            });
          },
          process: (r) => ctx.forward(r),
        };
      }, 'src')
      .addSink('out', 'out', { keySerde: s, valueSerde: s }, 'p');
    const driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', s, s);
    const output = driver.createOutputTopic('out', s, s);
    await input.pipeInput('a', '1', 5);
    await input.pipeInput('a', '2', 10);
    await input.pipeInput('a', '3', 12);
    await input.pipeInput('a', '4', 35);
    expect(fired).toEqual(['stream@10', 'stream@35']);
    await driver.advanceWallClockTime(999);
    expect(fired).toHaveLength(2);
    await driver.advanceWallClockTime(1);
    expect(fired).toEqual(['stream@10', 'stream@35', 'wall@1000']);
    expect(output.readKeyValuesToList().at(-1)).toEqual({ key: 'tick', value: '1000' });
    // The clock never goes back, nor jumps to no time at all; a refused advance moves nothing.
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) await expect(driver.advanceWallClockTime(bad)).rejects.toThrow(TopologyError);
    await driver.advanceWallClockTime(1_000);
    expect(fired).toEqual(['stream@10', 'stream@35', 'wall@1000', 'wall@2000']);
    await driver.close();
  });

  it('gives processors their connected stores and commits after every input record (changelog captured)', async () => {
    const topology = new Topology()
      .addSource('src', ['in'], { keySerde: s, valueSerde: s })
      .addProcessor<string, string, string, number>('count', () => {
        let store: KeyValueStore<string, number>;
        return {
          init: (c) => void (store = c.getStateStore<KeyValueStore<string, number>>('counter')),
          process: (r) => store.put(r.key, (store.get(r.key) ?? 0) + 1),
        };
      }, 'src')
      .addStateStore(Stores.keyValueStore({ name: 'counter', keySerde: s, valueSerde: Serdes.int64() }), 'count');
    const driver = new TopologyTestDriver(topology, { applicationId: 'app' });
    const input = driver.createInputTopic('in', s, s);
    const changelog = driver.createOutputTopic('app-counter-changelog', s, Serdes.int64());
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('b', 'y', 2);
    await input.pipeInput('a', 'z', 3);
    const store = driver.getKeyValueStore<string, number>('counter');
    expect(store.get('a')).toBe(2);
    expect(await store.all()).toEqual([{ key: 'a', value: 2 }, { key: 'b', value: 1 }]);
    expect(changelog.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }, { key: 'b', value: 1 }, { key: 'a', value: 2 }]);
    await driver.close();
  });

  it('refuses a store the processor is not connected to', async () => {
    const topology = new Topology()
      .addSource('src', ['in'])
      .addProcessor('p', () => ({ init: (c) => void c.getStateStore('other'), process: () => undefined }), 'src');
    const driver = new TopologyTestDriver(topology);
    await expect(driver.createInputTopic('in', s, s).pipeInput('k', 'v', 1)).rejects.toThrow(/not connected to state store "other"/);
  });
});
