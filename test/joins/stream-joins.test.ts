import { afterEach, describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { stringStreamJoin, type StreamJoinKind } from './string-stream-join.js';

const s = Serdes.string();
let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

function streamJoin(kind: StreamJoinKind, windows: JoinWindows) {
  const fixture = stringStreamJoin(kind, windows);
  driver = fixture.driver;
  return fixture;
}

describe('stream-stream joins', () => {
  it('inner join: partners within [t - before, t + after], result at the later timestamp; late records dropped', async () => {
    const { left, right, read } = streamJoin('join', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    await left.pipeInput('a', 'L1', 0);
    expect(read()).toEqual([]);
    await right.pipeInput('a', 'R1', 5);
    expect(read()).toEqual([['a', 'L1+R1', 5]]);
    await right.pipeInput('a', 'R2', 20); // 20 - 0 > 10: no partner
    await right.pipeInput('b', 'Rb', 20); // another key: no partner
    expect(read()).toEqual([]);
    // Out of order but within grace (12 + 10 + 5 >= stream time 20): joins both right records.
    await left.pipeInput('a', 'L2', 12);
    expect(read()).toEqual([['a', 'L2+R1', 12], ['a', 'L2+R2', 20]]);
    // Right record at 2: its window ends at 2 + 10, closed at 12 + 5 < 20: dropped.
    await right.pipeInput('a', 'R3', 2);
    expect(read()).toEqual([]);
    // A key-less record cannot join.
    await left.pipeInput(null, 'L3', 20);
    expect(read()).toEqual([]);
  });

  it('before/after make the window asymmetric', async () => {
    // The right record may be at most 5 ms earlier than the left one, and not later.
    const { left, right, read } = streamJoin('join', JoinWindows.ofTimeDifferenceWithNoGrace(5).after(0));
    await right.pipeInput('a', 'R1', 10);
    await left.pipeInput('a', 'L1', 12); // right 10 in [7, 12]
    await left.pipeInput('a', 'L2', 16); // right 10 not in [11, 16]
    await right.pipeInput('a', 'R2', 14); // seen from the right: left in [14, 19] → L2
    expect(read()).toEqual([['a', 'L1+R1', 12], ['a', 'L2+R2', 16]]);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(5).after(-6)).toThrow(/must be >= 0/);
  });

  it('left join: an unmatched left record is emitted with null once its window closed, never early', async () => {
    const { left, right, read } = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await left.pipeInput('a', 'L1', 0);
    await left.pipeInput('b', 'Lb', 3);
    expect(read()).toEqual([]); // no early null
    await right.pipeInput('b', 'Rb', 8);
    await right.pipeInput('c', 'Rc', 9); // unmatched right records give nothing in a left join
    expect(read()).toEqual([['b', 'Lb+Rb', 8]]);
    await left.pipeInput('x', 'Lx', 10);
    expect(read()).toEqual([]); // L1's window [.., 10] has not closed at stream time 10
    await left.pipeInput('y', 'Ly', 11);
    expect(read()).toEqual([['a', 'L1+null', 0]]); // Lb joined: not emitted alone
    await right.pipeInput('z', 'Rz', 40);
    expect(read()).toEqual([['x', 'Lx+null', 10], ['y', 'Ly+null', 11]]);
    // A key-less left record cannot join: it comes out at once; a key-less right one is dropped.
    await left.pipeInput(null, 'Ln', 41);
    await right.pipeInput(null, 'Rn', 42);
    expect(read()).toEqual([[null, 'Ln+null', 41]]);
  });

  it('left join: a late partner within grace still joins the waiting record instead of a null result', async () => {
    const { left, right, read } = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(5, 10));
    await left.pipeInput('a', 'L1', 0);
    await right.pipeInput('q', 'Rq', 12); // stream time 12; L1 closes after 0 + 5 + 10
    await right.pipeInput('a', 'R1', 4);
    expect(read()).toEqual([['a', 'L1+R1', 4]]);
    await right.pipeInput('q', 'Rq2', 100);
    expect(read()).toEqual([]);
  });

  it('outer join: unmatched records of either side come out with null after their window closes', async () => {
    const { left, right, read } = streamJoin('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(5));
    await left.pipeInput('a', 'L1', 0);
    await right.pipeInput('b', 'R1', 2);
    await right.pipeInput('a', 'R2', 4);
    expect(read()).toEqual([['a', 'L1+R2', 4]]);
    await left.pipeInput('c', 'L2', 6);
    expect(read()).toEqual([]);
    await left.pipeInput('d', 'L3', 8); // R1 (2 + 5) has closed
    expect(read()).toEqual([['b', 'null+R1', 2]]);
    await right.pipeInput('e', 'R3', 30);
    expect(read()).toEqual([['c', 'L2+null', 6], ['d', 'L3+null', 8]]);
  });

  it('keeps window stores and the unmatched buffer in changelogs', async () => {
    const { left, right } = streamJoin('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await left.pipeInput('a', 'L1', 0);
    await right.pipeInput('b', 'R1', 1);
    const topics = [...(driver as unknown as { outputs: Map<string, unknown[]> }).outputs.keys()].filter((t) => t.endsWith('-changelog'));
    expect(topics.sort()).toEqual([
      'joins-KSTREAM-LEFTJOINOTHER-0000000003-store-changelog',
      'joins-KSTREAM-LEFTJOINTHIS-0000000002-outer-store-changelog',
      'joins-KSTREAM-LEFTJOINTHIS-0000000002-store-changelog',
    ]);
  });

  it('repartitions a stream whose key changed before joining, and accepts (key, left, right) joiners', async () => {
    const builder = new StreamsBuilder();
    const clicks = builder.stream('clicks', { key: s, value: s }).selectKey((_k, v) => v.split(':')[0]!);
    const views = builder.stream('views', { key: s, value: s });
    clicks.join(views, (key: string, click: string, view: string) => `${key}|${click}|${view}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), { key: s, value: s, otherValue: s }).to('out', { key: s, value: s });
    const topology = builder.build();
    expect(topology.describe()).toMatch(/repartition/);
    driver = new TopologyTestDriver(topology, { applicationId: 'joins' });
    const out = driver.createOutputTopic('out', s, s);
    await driver.createInputTopic('views', s, s).pipeInput('u1', 'home', 1);
    await driver.createInputTopic('clicks', s, s).pipeInput('c9', 'u1:button', 2);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'u1', value: 'u1|u1:button|home' }]);
  });
});
