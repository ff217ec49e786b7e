import fc from 'fast-check';
import { defer, firstValueFrom, from, lastValueFrom, map, Subject, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromTopic, toTopic } from '../../src/rxjs/index.js';
import { InvalidConfigError, SerializationError, Serdes, StreamsApp, StreamsBuilder, type PartitionedLog } from '../../src/index.js';
import { openTempLog } from '../helpers/temp-log.js';
import { tempDir } from '../helpers/temp-dir.js';

const s = Serdes.string();
const str = { key: s, value: s };

/** Counts the log's fetch calls, to see that an unsubscribed reader stops asking. */
function countingFetches(log: PartitionedLog): { log: PartitionedLog; fetches: () => number } {
  let n = 0;
  const counted = Object.create(log) as PartitionedLog;
  counted.fetch = (req) => {
    n++;
    return log.fetch(req);
  };
  return { log: counted, fetches: () => n };
}

describe('tributary/rxjs', () => {
  it('toTopic writes in batches and emits where each record landed, in order; fromTopic reads them back per partition in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.string({ maxLength: 5 })), { maxLength: 1200 }), fc.integer({ min: 1, max: 700 }), async (pairs, batchSize) => {
        const log = await openTempLog();
        await log.createTopic('t', { partitions: 3 });
        let produceCalls = 0;
        const counted = Object.create(log) as PartitionedLog;
        counted.produce = (records) => {
          produceCalls++;
          return log.produce(records);
        };
        const metadata = await lastValueFrom(from(pairs).pipe(map(([key, value]) => ({ key, value })), toTopic(counted, 't', { ...str, batchSize }), toArray()));
        expect(metadata).toHaveLength(pairs.length);
        expect(produceCalls).toBe(Math.ceil(pairs.length / batchSize)); // never one call per record
        const back = await lastValueFrom(fromTopic(log, 't', { ...str, follow: false }).pipe(toArray()));
        // Each record is where its metadata says, and each key's records keep their order.
        const byPlace = new Map(back.map((r) => [`${r.partition}:${r.offset}`, [r.key, r.value]]));
        expect(metadata.map((m) => byPlace.get(`${m.partition}:${m.offset}`))).toEqual(pairs);
        for (const k of ['a', 'b', 'c', 'd']) expect(back.filter((r) => r.key === k).map((r) => r.value)).toEqual(pairs.filter((p) => p[0] === k).map((p) => p[1]));
      }),
      { numRuns: 25 },
    );
  });

  it('fromTopic follows records written after it subscribed, from the end with from: latest, and stops fetching once unsubscribed', async () => {
    const log = await openTempLog();
    await log.createTopic('t', { partitions: 2 });
    await log.produce([{ topic: 't', key: Buffer.from('old'), value: Buffer.from('0') }]);
    const { log: counted, fetches } = countingFetches(log);
    const all = firstValueFrom(fromTopic(counted, 't', { ...str, pollIntervalMs: 10 }).pipe(take(3), toArray()));
    const latest = firstValueFrom(fromTopic(counted, 't', { ...str, from: 'latest', pollIntervalMs: 10 }).pipe(take(2), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await log.produce([1, 2].map((i) => ({ topic: 't', key: Buffer.from(`k${i}`), value: Buffer.from(String(i)) })));
    expect((await all).map((r) => r.value).sort()).toEqual(['0', '1', '2']);
    expect((await latest).map((r) => r.value).sort()).toEqual(['1', '2']);
    const after = fetches();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetches()).toBeLessThanOrEqual(after + 2); // at most the fetches in flight when take() unsubscribed
  });

  it('refuses options out of range with InvalidConfigError naming the option, when the operator is made', async () => {
    const log = await openTempLog();
    const refused = (make: () => unknown, option: string) => {
      const error = (() => {
        try {
          make();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).option).toBe(option);
    };
    refused(() => toTopic(log, 't', { ...str, batchSize: 0 }), 'batchSize');
    refused(() => toTopic(log, 't', { ...str, batchSize: 2.5 }), 'batchSize');
    refused(() => toTopic(log, 't', { ...str, lingerMs: -1 }), 'lingerMs');
    refused(() => fromTopic(log, 't', { ...str, from: 'start' as 'earliest' }), 'from');
    refused(() => fromTopic(log, 't', { ...str, pollIntervalMs: Number.NaN }), 'pollIntervalMs');
    refused(() => fromTopic(log, 't', { ...str, isolation: 'committed' as 'read_committed' }), 'isolation');
    await log.close();
  });

  it('fromTopic ends with a SerializationError naming the record when its serde cannot read the bytes', async () => {
    const log = await openTempLog();
    await log.createTopic('t');
    await log.produce([{ topic: 't', key: null, value: Buffer.from('{"ok":1}') }, { topic: 't', key: null, value: Buffer.from('not json') }]);
    const seen: unknown[] = [];
    const error = await lastValueFrom(fromTopic(log, 't', { key: s, value: Serdes.json<{ ok: number }>(), follow: false }).pipe(map((r) => seen.push(r.value)))).catch((e: unknown) => e);
    expect(seen).toEqual([{ ok: 1 }]);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).location).toEqual({ topic: 't', partition: 0, offset: 1 });
  });

  it('toTopic writes the records before a failure, then passes the error on: a source error, or a record its serde refuses', async () => {
    const log = await openTempLog();
    await log.createTopic('a');
    await log.createTopic('b');
    const failing = new Subject<{ key: string | null; value: string | null }>();
    const sourceFailed = lastValueFrom(failing.pipe(toTopic(log, 'a', { ...str, lingerMs: 1000 }), toArray())).catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) failing.next({ key: null, value: `v${i}` });
    failing.error(new Error('upstream broke'));
    expect(((await sourceFailed) as Error).message).toBe('upstream broke');
    expect((await log.fetch({ topic: 'a', partition: 0, offset: 0 })).map((r) => r.value!.toString())).toEqual(['v0', 'v1', 'v2']);

    const values = ['x', 'y', 42 as unknown as string, 'z'];
    const refused = await lastValueFrom(defer(() => from(values)).pipe(map((value) => ({ key: null, value })), toTopic(log, 'b', str))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SerializationError);
    expect((await log.fetch({ topic: 'b', partition: 0, offset: 0 })).map((r) => r.value!.toString())).toEqual(['x', 'y']);
  });

  it('toTopic ends with the error of a failed write at once, though its source goes on', async () => {
    const log = await openTempLog();
    await log.createTopic('t');
    let calls = 0;
    const failing = Object.create(log) as PartitionedLog;
    failing.produce = (records) => (++calls === 2 ? Promise.reject(new Error('disk full')) : log.produce(records));
    const endless = new Subject<{ key: string | null; value: string | null }>();
    const seen: number[] = [];
    const ended = new Promise<unknown>((resolve) => endless.pipe(toTopic(failing, 't', { ...str, batchSize: 1 })).subscribe({ next: (m) => seen.push(m.offset), error: resolve }));
    for (let i = 0; i < 4; i++) endless.next({ key: null, value: `v${i}` });
    expect(((await ended) as Error).message).toBe('disk full');
    expect(seen).toEqual([0]);
    expect(endless.observed).toBe(false); // the source was let go
    expect(calls).toBe(2); // nothing after the failed write
  });

  it('feeds a stream app from an Observable and watches what it writes', async () => {
    const log = await openTempLog();
    await log.createTopic('words', { partitions: 2 });
    await log.createTopic('shouted', { partitions: 2 });
    const builder = new StreamsBuilder();
    builder.stream('words', str).mapValues((_k, v) => v.toUpperCase()).to('shouted', str);
    const app = new StreamsApp(builder.build(), { applicationId: 'shout', log, stateDir: tempDir() });
    await app.start();
    try {
      const words = ['tea', 'rain', 'moss', 'fern', 'slate'];
      const shouted = firstValueFrom(fromTopic(log, 'shouted', { ...str, pollIntervalMs: 10 }).pipe(take(words.length), toArray()));
      await lastValueFrom(from(words).pipe(map((w) => ({ key: w[0]!, value: w })), toTopic(log, 'words', str), toArray()));
      expect((await shouted).map((r) => r.value).sort()).toEqual(words.map((w) => w.toUpperCase()).sort());
    } finally {
      await app.close();
    }
  });
});
