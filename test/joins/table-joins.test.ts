import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

const s = Serdes.string();
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

function open(builder: StreamsBuilder) {
  driver = new TopologyTestDriver(builder.build(), { applicationId: 'tj' });
  const out = driver.createOutputTopic('out', s, s);
  return { driver, read: () => out.readKeyValuesToList().map((r) => [r.key, r.value]) };
}

describe('stream-table joins', () => {
  for (const kind of ['join', 'leftJoin'] as const) {
    it(`${kind}: each order sees the customer row as of its arrival; table updates alone emit nothing`, async () => {
      const builder = new StreamsBuilder();
      const customers = builder.table('customers', { key: s, value: s });
      const orders = builder.stream('orders', { key: s, value: s });
      const joiner = (order: string, customer: string | null) => `${order}/${customer}`;
      (kind === 'join' ? orders.join(customers, joiner) : orders.leftJoin(customers, joiner)).to('out', { key: s, value: s });
      const { driver: d, read } = open(builder);
      const table = d.createInputTopic('customers', s, s);
      const stream = d.createInputTopic('orders', s, s);
      await table.pipeInput('c1', 'Alice', 0);
      await stream.pipeInput('c1', 'o1', 1);
      await stream.pipeInput('c2', 'o2', 2);
      await table.pipeInput('c2', 'Bob', 3);
      expect(read()).toEqual(kind === 'join' ? [['c1', 'o1/Alice']] : [['c1', 'o1/Alice'], ['c2', 'o2/null']]);
      await stream.pipeInput('c2', 'o3', 4);
      await table.pipeInput('c1', null, 5); // delete
      await stream.pipeInput('c1', 'o4', 6);
      // An order older than the table's latest update still sees the table as it is now.
      await table.pipeInput('c3', 'Carol', 100);
      await stream.pipeInput('c3', 'o5', 50);
      await stream.pipeInput('c4', null, 60); // null value: dropped
      expect(read()).toEqual(kind === 'join' ? [['c2', 'o3/Bob'], ['c3', 'o5/Carol']] : [['c2', 'o3/Bob'], ['c1', 'o4/null'], ['c3', 'o5/Carol']]);
    });
  }

  it('joins through a filtered and mapped table without materializing it again', async () => {
    const builder = new StreamsBuilder();
    const vip = builder
      .table('customers', { key: s, value: Serdes.json<{ name: string; tier: string }>() })
      .filter((_k, c) => c.tier === 'gold')
      .mapValues((_k, c) => c.name.toUpperCase());
    builder.stream('orders', { key: s, value: s }).join(vip, (k: string, order: string, name: string) => `${k}:${order}:${name}`).to('out', { key: s, value: s });
    const { driver: d, read } = open(builder);
    const customers = d.createInputTopic('customers', s, Serdes.json<{ name: string; tier: string }>());
    const orders = d.createInputTopic('orders', s, s);
    await customers.pipeInput('c1', { name: 'ann', tier: 'gold' }, 0);
    await customers.pipeInput('c2', { name: 'bo', tier: 'basic' }, 0);
    await orders.pipeInput('c1', 'o1', 1);
    await orders.pipeInput('c2', 'o2', 1);
    await customers.pipeInput('c1', { name: 'ann', tier: 'basic' }, 2);
    await orders.pipeInput('c1', 'o3', 3);
    expect(read()).toEqual([['c1', 'c1:o1:ANN']]);
  });

  it('GlobalKTable: joins by a key selected from the record, inner and left', async () => {
    type Order = { productId: string; qty: number };
    const builder = new StreamsBuilder();
    const products = builder.globalTable('products', { key: s, value: s });
    const orders = builder.stream('orders', { key: s, value: Serdes.json<Order>() });
    orders.join(products, (_k, o) => o.productId, (o, name) => `${o.qty} x ${name}`).to('out', { key: s, value: s });
    orders.leftJoin(products, (_k, o) => o.productId, (o, name) => `${o.qty} x ${name}`).to('left-out', { key: s, value: s });
    const { driver: d, read } = open(builder);
    const leftOut = d.createOutputTopic('left-out', s, s);
    await d.createInputTopic('products', s, s).pipeInput('p1', 'pen', 0);
    const input = d.createInputTopic('orders', s, Serdes.json<Order>());
    await input.pipeInput('o1', { productId: 'p1', qty: 2 }, 1);
    await input.pipeInput('o2', { productId: 'p9', qty: 1 }, 2);
    expect(read()).toEqual([['o1', '2 x pen']]);
    expect(leftOut.readKeyValuesToList()).toEqual([{ key: 'o1', value: '2 x pen' }, { key: 'o2', value: '1 x null' }]);
  });

  it('GlobalKTable: a key changed before the join still makes a later grouping repartition', () => {
    const builder = new StreamsBuilder();
    const products = builder.globalTable('products', { key: s, value: s });
    builder
      .stream('orders', { key: s, value: s })
      .selectKey((_k, v) => v)
      .join(products, (k) => k, (order, name) => `${order}:${name}`)
      .groupByKey({ key: s, value: s })
      .count();
    expect(builder.build().describe()).toMatch(/-repartition/);
  });
});

describe('table-table joins', () => {
  type Step = [topic: 'l' | 'r', key: string, value: string | null, expected: [string, string | null][]];
  const cases: Record<'join' | 'leftJoin' | 'outerJoin', Step[]> = {
    join: [
      ['l', 'a', '1', []],
      ['r', 'a', 'x', [['a', '1x']]],
      ['l', 'a', '2', [['a', '2x']]],
      ['r', 'a', null, [['a', null]]], // the result row disappears: tombstone
      ['l', 'a', null, []],
      ['r', 'b', 'y', []],
      ['l', 'b', '3', [['b', '3y']]],
    ],
    leftJoin: [
      ['l', 'a', '1', [['a', '1null']]],
      ['r', 'a', 'x', [['a', '1x']]],
      ['r', 'a', null, [['a', '1null']]],
      ['l', 'a', null, [['a', null]]],
      ['r', 'b', 'y', []],
    ],
    outerJoin: [
      ['r', 'b', 'y', [['b', 'nully']]],
      ['l', 'b', '3', [['b', '3y']]],
      ['l', 'b', null, [['b', 'nully']]],
      ['r', 'b', null, [['b', null]]],
    ],
  };
  for (const [kind, steps] of Object.entries(cases)) {
    it(`${kind}: results follow updates and deletes of either side`, async () => {
      const builder = new StreamsBuilder();
      const l = builder.table('l', { key: s, value: s });
      const r = builder.table('r', { key: s, value: s });
      const joiner = (a: string | null, b: string | null) => `${a}${b}`;
      const joined = kind === 'join' ? l.join(r, joiner, { name: 'joined' }) : kind === 'leftJoin' ? l.leftJoin(r, joiner) : l.outerJoin(r, joiner);
      joined.toStream().to('out', { key: s, value: s });
      const { driver: d, read } = open(builder);
      const inputs = { l: d.createInputTopic('l', s, s), r: d.createInputTopic('r', s, s) };
      let time = 0;
      for (const [topic, key, value, expected] of steps) {
        await inputs[topic].pipeInput(key, value, time++);
        expect(read(), `after ${topic} ${key}=${value}`).toEqual(expected);
      }
      if (kind === 'join') expect(await d.getKeyValueStore('joined').all()).toEqual([{ key: 'b', value: '3y' }]);
    });
  }
});

describe('foreign-key table joins', () => {
  type Line = { productId: string | null; qty: number };
  const line = Serdes.json<Line>();
  for (const kind of ['join', 'leftJoin'] as const) {
    it(`${kind}: follows foreign-key changes (old result retracted) and foreign updates/deletes`, async () => {
      const builder = new StreamsBuilder();
      const products = builder.table('products', { key: s, value: s });
      const lines = builder.table('lines', { key: s, value: line });
      const joiner = (l: Line, p: string | null) => `${l.qty} x ${p}`;
      const joined = kind === 'join' ? lines.join(products, (l) => l.productId, joiner) : lines.leftJoin(products, (l) => l.productId, joiner);
      joined.toStream().to('out', { key: s, value: s });
      const topology = builder.build();
      expect(topology.describe()).toMatch(/KTABLE-FK-JOIN-\d+-SUBSCRIPTION-REGISTRATION-topic/);
      expect(topology.describe()).toMatch(/KTABLE-FK-JOIN-\d+-SUBSCRIPTION-RESPONSE-topic/);
      driver = new TopologyTestDriver(topology, { applicationId: 'fk' });
      const out = driver.createOutputTopic('out', s, s);
      const read = () => out.readKeyValuesToList().map((r) => [r.key, r.value]);
      const p = driver.createInputTopic('products', s, s);
      const l = driver.createInputTopic('lines', s, line);
      const left = kind === 'leftJoin';
      await l.pipeInput('l1', { productId: 'p1', qty: 2 }, 0); // product not there yet
      expect(read()).toEqual(left ? [['l1', '2 x null']] : []);
      await p.pipeInput('p1', 'pen', 1);
      expect(read()).toEqual([['l1', '2 x pen']]);
      await p.pipeInput('p2', 'ink', 2);
      await p.pipeInput('p1', 'Pen', 3);
      expect(read()).toEqual([['l1', '2 x Pen']]);
      await l.pipeInput('l1', { productId: 'p2', qty: 2 }, 4); // foreign key changes
      expect(read()).toEqual([['l1', '2 x ink']]);
      await p.pipeInput('p1', 'PEN', 5); // l1 left p1: nothing for it any more
      expect(read()).toEqual([]);
      await l.pipeInput('l1', { productId: 'p3', qty: 5 }, 6); // moves to a missing product
      expect(read()).toEqual([['l1', left ? '5 x null' : null]]);
      await p.pipeInput('p3', 'pad', 7);
      expect(read()).toEqual([['l1', '5 x pad']]);
      await p.pipeInput('p3', null, 8); // foreign row deleted
      expect(read()).toEqual([['l1', left ? '5 x null' : null]]);
      await l.pipeInput('l1', { productId: null, qty: 1 }, 9); // no foreign key
      expect(read()).toEqual([['l1', left ? '1 x null' : null]]);
      await l.pipeInput('l2', { productId: 'p2', qty: 3 }, 10);
      await l.pipeInput('l2', null, 11); // row deleted
      expect(read()).toEqual([['l2', '3 x ink'], ['l2', null]]);
    });
  }
});

describe('foreign-key join responses', () => {
  it('ignores a response computed for an older version of the row (it changed while the response was in flight)', async () => {
    const { encodeResponse, rowHash } = await import('../../src/processor/joins/fk-wire.js');
    type Line = { productId: string; qty: number };
    const line = Serdes.json<Line>();
    const builder = new StreamsBuilder();
    const products = builder.table('products', { key: s, value: s });
    builder
      .table('lines', { key: s, value: line })
      .join(products, (l) => l.productId, (l, p) => `${l.qty} x ${p}`, { joinName: 'fk' })
      .toStream()
      .to('out', { key: s, value: s });
    driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' });
    const out = driver.createOutputTopic('out', s, s);
    await driver.createInputTopic('products', s, s).pipeInput('p1', 'pen', 0);
    const lines = driver.createInputTopic('lines', s, line);
    await lines.pipeInput('l1', { productId: 'p1', qty: 1 }, 1);
    await lines.pipeInput('l1', { productId: 'p1', qty: 2 }, 2);
    expect(out.readValuesToList()).toEqual(['1 x pen', '2 x pen']);
    // A late answer to the first subscription (qty 1), as it could arrive from another task.
    const responses = driver.createInputTopic('app-fk-SUBSCRIPTION-RESPONSE-topic', Serdes.bytes(), Serdes.bytes());
    const hashOf = (l: Line) => rowHash(line.serialize('', l));
    await responses.pipeInput(Buffer.from('l1'), encodeResponse({ hash: hashOf({ productId: 'p1', qty: 1 }), value: s.serialize('', 'old pen') }), 3);
    expect(out.readValuesToList()).toEqual([]);
    await responses.pipeInput(Buffer.from('l1'), encodeResponse({ hash: hashOf({ productId: 'p1', qty: 2 }), value: s.serialize('', 'new pen') }), 4);
    expect(out.readValuesToList()).toEqual(['2 x new pen']);
  });
});
