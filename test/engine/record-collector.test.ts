import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedLog, Serdes, type Serde } from '../../src/index.js';
import { RecordCollector } from '../../src/runtime/engine/record-collector.js';
import { partitionForKey } from '../../src/runtime/log/murmur2.js';
import { openTempLog } from '../helpers/temp-log.js';
import { readAll } from '../helpers/read-all.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const s = Serdes.string() as Serde<unknown>;

/** Every record of a topic as "partition:key=value", partition by partition. */
async function contents(log: EmbeddedLog, topic: string): Promise<string[]> {
  const partitions = (await log.describeTopic(topic)).partitions.length;
  const out: string[] = [];
  for (let p = 0; p < partitions; p++) for (const r of await readAll(log, topic, p, 'read_uncommitted')) out.push(`${p}:${r.key}=${r.value}`);
  return out;
}

describe('RecordCollector on EmbeddedLog', () => {
  it('writes records straight into batches once it knows the topic, partitioned by key as Kafka does', async () => {
    const log = await openTempLog('tributary-collector-');
    await log.createTopic('out', { partitions: 4 });
    const encoded = vi.spyOn(log, 'produceEncoded');
    const plain = vi.spyOn(log, 'produce');
    const collector = new RecordCollector(log);
    const expected: string[][] = [[], [], [], []];
    for (let call = 0; call < 3; call++) {
      for (let i = 0; i < 20; i++) {
        const key = `k${call}-${i}`;
        collector.write('out', undefined, s, key, s, `v${i}`, 1_000 + i, {});
        expected[partitionForKey(Buffer.from(key), 4)]!.push(`${partitionForKey(Buffer.from(key), 4)}:${key}=v${i}`);
      }
      await collector.send(log);
    }
    // The first call's records go as records (the topic is learnt after it), the third as batches.
    expect(plain).toHaveBeenCalled();
    expect(encoded).toHaveBeenCalled();
    expect(collector.isEmpty).toBe(true);
    expect(await contents(log, 'out')).toEqual(expected.flat());
  });

  it('loses nothing when a topic is recreated with another partition count under it', async () => {
    const log = await openTempLog('tributary-collector-');
    await log.createTopic('out', { partitions: 2 });
    const encoded = vi.spyOn(log, 'produceEncoded');
    const collector = new RecordCollector(log);
    const send = async (from: number) => {
      for (let i = from; i < from + 10; i++) collector.write('out', undefined, s, `k${i}`, s, `v${i}`, i, {});
      await collector.send(log);
    };
    await send(0);
    await send(10); // the shape (2 partitions) is learnt by now
    await log.deleteTopic('out');
    await log.createTopic('out', { partitions: 5 });
    // Encoded for 2 partitions until the refusal is acted on: refused by the log, sent as records.
    await send(20);
    await send(30);
    for (const from of [40, 50, 60]) await send(from); // learnt again: 5 partitions, encoded from 60 on
    const answers = await Promise.all(encoded.mock.results.map((r) => r.value as Promise<Float64Array | null>));
    expect(answers.map((a) => a === null)).toEqual([true, true, false]);
    const got = await contents(log, 'out');
    const expected = Array.from({ length: 50 }, (_, j) => j + 20).map((i) => `${partitionForKey(Buffer.from(`k${i}`), 5)}:k${i}=v${i}`);
    expect(got.sort()).toEqual(expected.sort());
  });

  it('keeps plain records on a log that takes no batches', async () => {
    const log = await openTempLog('tributary-collector-');
    await log.createTopic('out', { partitions: 1 });
    const records: unknown[] = [];
    const target = {
      produce: async (r: unknown[]) => {
        records.push(...r);
        return [];
      },
      describeTopic: log.describeTopic.bind(log),
    };
    const collector = new RecordCollector(target as never);
    collector.write('out', 0, s, null, s, 'v', 5, {});
    await collector.send(target as never);
    expect(records).toEqual([{ topic: 'out', partition: 0, key: null, value: Buffer.from('v'), timestamp: 5, headers: {} }]);
  });
});
