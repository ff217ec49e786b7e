import { afterEach, describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, SessionWindows, SlidingWindows, StreamsBuilder, SuppressBufferFullError, Suppressed, TimeWindows, TopologyError, TopologyTestDriver, type Windowed } from '../../src/index.js';

const s = Serdes.string();
const n = Serdes.int64();
const ws = Serdes.windowed(s);
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const win = (key: string, start: number, end: number) => ({ key, window: { start, end } });

function run(build: (b: StreamsBuilder) => void) {
  const builder = new StreamsBuilder();
  build(builder);
  driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' });
  const input = driver.createInputTopic('in', s, s);
  return { driver, input };
}

describe('stateful DSL operators through the test driver', () => {
  it('counts per key and keeps the count in a queryable store', async () => {
    const { driver, input } = run((b) => b.stream('in', { key: s, value: s }).groupByKey().count({ name: 'counts' }).toStream().to('out', { value: n }));
    const out = driver.createOutputTopic('out', s, n);
    for (const [k, t] of [['a', 1], ['b', 2], ['a', 3]] as const) await input.pipeInput(k, 'x', t);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }, { key: 'b', value: 1 }, { key: 'a', value: 2 }]);
    expect(await driver.getKeyValueStore<string, number>('counts').all()).toEqual([{ key: 'a', value: 2 }, { key: 'b', value: 1 }]);
  });

  it('groups by a new key through a repartition topic, and reduces/aggregates', async () => {
    const { driver, input } = run((b) => {
      const byLength = b.stream('in', { key: s, value: s }).groupBy((_k, v) => String(v.length), { key: s, value: s });
      byLength.reduce((a, v) => `${a}+${v}`, { name: 'joined' }).toStream().to('reduced', { value: s });
      byLength.aggregate(() => 0, (_k, v, sum) => sum + v.length, { name: 'lengths', valueSerde: n }).toStream().to('summed', { value: n });
    });
    const reduced = driver.createOutputTopic('reduced', s, s);
    const summed = driver.createOutputTopic('summed', s, n);
    for (const [k, v] of [['1', 'ab'], ['2', 'cd'], ['3', 'xyz'], ['4', 'ef']] as const) await input.pipeInput(k, v, 1);
    expect(reduced.readKeyValuesToList()).toEqual([{ key: '2', value: 'ab' }, { key: '2', value: 'ab+cd' }, { key: '3', value: 'xyz' }, { key: '2', value: 'ab+cd+ef' }]);
    expect(summed.readValuesToList()).toEqual([2, 4, 3, 6]);
  });

  it('tumbling windows: updates a window until stream time reaches end + grace, then drops late records', async () => {
    const { driver, input } = run((b) =>
      b.stream('in', { key: s, value: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ name: 'tumbling' }).toStream().to('out', { key: ws, value: n }),
    );
    const out = driver.createOutputTopic('out', ws, n);
    // stream time: 1, 12, 12 (t=8: close time 7 < end 10, accepted), 15 (t=3: close time 10 = end, dropped), 15 (t=9 dropped)
    for (const t of [1, 12, 8, 15, 3, 9]) await input.pipeInput('a', 'x', t);
    expect(out.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 1 },
      { key: win('a', 10, 20), value: 1 },
      { key: win('a', 0, 10), value: 2 },
      { key: win('a', 10, 20), value: 2 },
    ]);
    const store = driver.getWindowStore<string, number>('tumbling');
    expect(store.fetch('a', 10)).toBe(2);
    expect(store.fetch('a', 0, 20)).toEqual([{ key: 10, value: 2 }]); // [0,10) is past retention (size + grace)
  });

  it('hopping windows: a record counts in every window that contains it', async () => {
    const { driver, input } = run((b) =>
      b.stream('in', { key: s, value: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5)).count().toStream().to('out', { key: ws, value: n }),
    );
    const out = driver.createOutputTopic('out', ws, n);
    await input.pipeInput('a', 'x', 7);
    await input.pipeInput('a', 'x', 12);
    expect(out.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 10), value: 1 },
      { key: win('a', 5, 15), value: 1 },
      { key: win('a', 5, 15), value: 2 },
      { key: win('a', 10, 20), value: 1 },
    ]);
  });

  it('session windows: merge overlapping sessions and tombstone the merged ones; late sessions are dropped', async () => {
    const { driver, input } = run((b) =>
      b.stream('in', { key: s, value: s }).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0)).count({ name: 'sessions' }).toStream().to('out', { key: ws, value: n }),
    );
    const out = driver.createOutputTopic('out', ws, n);
    for (const t of [0, 3, 10, 6]) await input.pipeInput('a', 'x', t);
    await input.pipeInput('a', 'x', 30);
    await input.pipeInput('a', 'x', 12); // session would end at 12 < close time 30: late
    expect(out.readKeyValuesToList()).toEqual([
      { key: win('a', 0, 0), value: 1 },
      { key: win('a', 0, 0), value: null },
      { key: win('a', 0, 3), value: 2 },
      { key: win('a', 10, 10), value: 1 },
      { key: win('a', 0, 3), value: null },
      { key: win('a', 10, 10), value: null },
      { key: win('a', 0, 10), value: 4 },
      { key: win('a', 30, 30), value: 1 },
    ]);
    expect(driver.getSessionStore<string, number>('sessions').fetch('a').map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([[30, 30, 1]]);
  });

  it.each([
    ['ofTimeDifferenceAndGrace', () => SlidingWindows.ofTimeDifferenceAndGrace(5, 0)],
    ['ofSizeAndGrace', () => SlidingWindows.ofSizeAndGrace(5, 0)],
  ])('sliding windows (%s): each record updates the windows that contain it, both bounds inclusive', async (_name, windows) => {
    const { driver, input } = run((b) => b.stream('in', { key: s, value: s }).groupByKey().windowedBy(windows()).count().toStream().to('out', { key: ws, value: n }));
    const out = driver.createOutputTopic('out', ws, n);
    await input.pipeInput('a', 'x', 10);
    await input.pipeInput('a', 'x', 12);
    await input.pipeInput('a', 'x', 20);
    expect(out.readKeyValuesToList()).toEqual([
      { key: win('a', 5, 10), value: 1 },
      { key: win('a', 7, 12), value: 2 },
      { key: win('a', 11, 16), value: 1 },
      { key: win('a', 15, 20), value: 1 },
    ]);
  });

  it('refuses window sizes, gaps and graces that are not whole milliseconds in range, naming the setting', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => TimeWindows.ofSizeAndGrace(0, 0), /TimeWindows size/],
      [() => TimeWindows.ofSizeWithNoGrace(1.5), /TimeWindows size/],
      [() => TimeWindows.ofSizeAndGrace(10, -1), /TimeWindows grace/],
      [() => TimeWindows.ofSizeAndGrace(10, 0).advanceBy(0), /TimeWindows advance/],
      [() => TimeWindows.ofSizeAndGrace(10, 0).advanceBy(11), /must not exceed the size/],
      [() => SlidingWindows.ofSizeAndGrace(0, 0), /SlidingWindows size/],
      [() => SlidingWindows.ofSizeWithNoGrace(Number.NaN), /SlidingWindows size/],
      [() => SlidingWindows.ofTimeDifferenceAndGrace(5, -2), /SlidingWindows grace/],
      [() => SessionWindows.ofInactivityGapAndGrace(0, 0), /SessionWindows gap/],
      [() => JoinWindows.ofTimeDifferenceAndGrace(-1, 0), /JoinWindows time difference/],
    ];
    for (const [make, message] of bad) {
      expect(make).toThrow(TopologyError);
      expect(make).toThrow(message);
    }
    expect(SlidingWindows.ofSizeWithNoGrace(7)).toEqual(SlidingWindows.ofTimeDifferenceAndGrace(7, 0));
  });

  it('suppress untilWindowCloses emits one final result per window once it closes', async () => {
    const { driver, input } = run((b) =>
      b.stream('in', { key: s, value: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 2)).count().suppress(Suppressed.untilWindowCloses()).toStream().to('out', { key: ws, value: n }),
    );
    const out = driver.createOutputTopic('out', ws, n);
    for (const [k, t] of [['a', 1], ['a', 2], ['b', 5], ['a', 11]] as const) await input.pipeInput(k, 'x', t);
    expect(out.readKeyValuesToList()).toEqual([]);
    await input.pipeInput('b', 'x', 12); // stream time 12 = end 10 + grace 2
    expect(out.readKeyValuesToList()).toEqual([{ key: win('a', 0, 10), value: 2 }, { key: win('b', 0, 10), value: 1 }]);
  });

  it('suppress untilTimeLimit holds a key back for the wait, then emits its latest value', async () => {
    const { driver, input } = run((b) => b.stream('in', { key: s, value: s }).groupByKey().count().suppress(Suppressed.untilTimeLimit(10)).toStream().to('out', { value: n }));
    const out = driver.createOutputTopic('out', s, n);
    for (const [k, t] of [['a', 0], ['a', 5], ['b', 6], ['c', 10]] as const) await input.pipeInput(k, 'x', t);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 2 }]);
  });

  it('suppress untilTimeLimit emits the oldest keys early when the buffer outgrows maxRecords or maxBytes', async () => {
    for (const limits of [{ maxRecords: 2 }, { maxBytes: 80 }]) {
      const { driver, input } = run((b) => b.stream('in', { key: s, value: s }).groupByKey().count().suppress(Suppressed.untilTimeLimit(1_000, limits)).toStream().to('out', { value: n }));
      const out = driver.createOutputTopic('out', s, n);
      for (const [k, t] of [['a', 0], ['b', 1], ['a', 2]] as const) await input.pipeInput(k, 'x', t);
      expect(out.readKeyValuesToList()).toEqual([]);
      await input.pipeInput('c', 'x', 3); // a third key: the buffer is over its limit, 'a' (held longest) goes out
      expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 2 }]);
      await driver.close();
    }
  });

  it('suppress untilWindowCloses never emits early: a buffer over its limit stops processing with SuppressBufferFullError', async () => {
    const { driver, input } = run((b) =>
      b.stream('in', { key: s, value: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 0)).count().suppress(Suppressed.untilWindowCloses({ maxRecords: 2 })).toStream().to('out', { key: ws, value: n }),
    );
    const out = driver.createOutputTopic('out', ws, n);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('b', 'x', 2);
    await expect(input.pipeInput('c', 'x', 3)).rejects.toThrow(SuppressBufferFullError);
    expect(out.readKeyValuesToList()).toEqual([]);
    expect(() => Suppressed.untilWindowCloses({ maxBytes: 0 })).toThrow(/maxBytes must be an integer >= 1/);
  });

  it('tables: latest value per key, tombstones delete, filter turns non-matching rows into deletes', async () => {
    const builder = new StreamsBuilder();
    const table = builder.table('t', { key: s, value: Serdes.int32() }, { name: 'table' });
    table.filter((_k, v) => v > 10).toStream().to('big', { value: Serdes.int32() });
    table.mapValues((_k, v) => v * 2).toStream().to('doubled', { value: Serdes.int32() });
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('t', s, Serdes.int32());
    const big = driver.createOutputTopic('big', s, Serdes.int32());
    const doubled = driver.createOutputTopic('doubled', s, Serdes.int32());
    await input.pipeInput('a', 20, 1);
    await input.pipeInput('a', 5, 2);
    await input.pipeInput('b', 1, 3);
    await input.pipeInput('b', null as unknown as number, 4);
    expect(big.readKeyValuesToList()).toEqual([{ key: 'a', value: 20 }, { key: 'a', value: null }]);
    expect(doubled.readKeyValuesToList()).toEqual([{ key: 'a', value: 40 }, { key: 'a', value: 10 }, { key: 'b', value: 2 }, { key: 'b', value: null }]);
    expect(await driver.getKeyValueStore<string, number>('table').all()).toEqual([{ key: 'a', value: 5 }]);
  });

  it('materialized filter and mapValues keep their rows in queryable stores that joins read', async () => {
    const builder = new StreamsBuilder();
    const table = builder.table('t', { key: s, value: Serdes.int32() });
    const big = table.filter((_k, v) => v > 10, undefined, { name: 'big', valueSerde: Serdes.int32() });
    const labels = table.mapValues((_k, v) => `#${v}`, { name: 'label' }, { name: 'labels', valueSerde: s });
    big.join(labels, (v, label) => `${label}:${v}`).toStream().to('joined', { value: s });
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('t', s, Serdes.int32());
    const joined = driver.createOutputTopic('joined', s, s);
    await input.pipeInput('a', 20, 1);
    await input.pipeInput('b', 30, 2);
    await input.pipeInput('a', 5, 3);
    await input.pipeInput('c', 1, 4);
    await input.pipeInput('b', null as unknown as number, 5);
    expect(await driver.getKeyValueStore<string, number>('big').all()).toEqual([]);
    expect(await driver.getKeyValueStore<string, string>('labels').all()).toEqual([{ key: 'a', value: '#5' }, { key: 'c', value: '#1' }]);
    await input.pipeInput('d', 40, 6);
    expect(await driver.getKeyValueStore<string, number>('big').all()).toEqual([{ key: 'd', value: 40 }]);
    expect(joined.readKeyValuesToList()).toEqual([
      { key: 'a', value: '#20:20' },
      { key: 'b', value: '#30:30' },
      { key: 'a', value: null },
      { key: 'b', value: null },
      { key: 'd', value: '#40:40' },
    ]);
  });

  it('KGroupedTable: counts and sums follow updates and deletes of the table (adder and subtractor)', async () => {
    type User = { region: string; spend: number };
    const builder = new StreamsBuilder();
    const users = builder.table('users', { key: s, value: Serdes.json<User>() });
    const byRegion = users.groupBy((_id, u) => [u.region, u.spend] as const, { key: s, value: Serdes.int32() });
    byRegion.count({ name: 'users-per-region' }).toStream().to('counts', { value: n });
    byRegion.reduce((a, v) => a + v, (a, v) => a - v, { name: 'spend-per-region', valueSerde: Serdes.int32() }).toStream().to('spend', { value: Serdes.int32() });
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('users', s, Serdes.json<User>());
    const counts = driver.createOutputTopic('counts', s, n);
    const spend = driver.createOutputTopic('spend', s, Serdes.int32());
    await input.pipeInput('ann', { region: 'eu', spend: 10 }, 1);
    await input.pipeInput('bob', { region: 'eu', spend: 5 }, 2);
    await input.pipeInput('ann', { region: 'us', spend: 7 }, 3); // moves from eu to us
    await input.pipeInput('bob', { region: 'eu', spend: 6 }, 4); // same group: one update
    await input.pipeInput('bob', null as unknown as User, 5); // deleted
    expect(counts.readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 }, { key: 'eu', value: 2 }, { key: 'eu', value: 1 }, { key: 'us', value: 1 }, { key: 'eu', value: 1 }, { key: 'eu', value: 0 },
    ]);
    expect(spend.readKeyValuesToList()).toEqual([
      { key: 'eu', value: 10 }, { key: 'eu', value: 15 }, { key: 'eu', value: 5 }, { key: 'us', value: 7 }, { key: 'eu', value: 6 }, { key: 'eu', value: 0 },
    ]);
    expect(driver.getKeyValueStore<string, number>('users-per-region').get('us')).toBe(1);
  });

  it('rejects suppress(untilWindowCloses) on a table without windows at build time', () => {
    const builder = new StreamsBuilder();
    expect(() => builder.stream('in').groupByKey().count().suppress(Suppressed.untilWindowCloses())).toThrow(/needs a windowed table/);
  });

  it('windowed keys keep their types', () => {
    const builder = new StreamsBuilder();
    const t = builder.stream<string, number>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(5)).count();
    const key: Windowed<string> | undefined = undefined as unknown as Windowed<string>;
    void key;
    // @ts-expect-error the table's keys are Windowed<string>, not string
    t.toStream().filter((k: string) => k.length > 0);
  });
});
