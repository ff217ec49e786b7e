import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Level } from 'level';
import {
  EmbeddedLog,
  Serdes,
  StoreNotReadyError,
  StreamsApp,
  Stores,
  StreamsBuilder,
  TimeWindows,
  Topology,
  type KeyValueStore,
  TributaryError,
  type ReadOnlyKeyValueStore,
  type ReadOnlyWindowStore,
  type StreamsConfig,
} from '../../src/index.js';
import { readAll } from '../helpers/read-all.js';
import { caughtUp, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const s = Serdes.string();
const n = Serdes.int64();
const logs: EmbeddedLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

function wordCount() {
  const builder = new StreamsBuilder();
  const words = builder.stream('lines', { key: s, value: s }).flatMapValues((_k, line) => line.split(' '));
  words.groupBy((_k, w) => w, { key: s, value: s }).count({ name: 'word-counts' }).toStream().to('counts', { key: s, value: n });
  words.groupBy((_k, w) => w, { key: s, value: s, name: 'by-word-windowed' }).windowedBy(TimeWindows.ofSizeAndGrace(1_000, 0)).count({ name: 'word-counts-per-second' });
  return builder.build();
}

const WORDS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date', 'yuzu'];

function lines(count: number): { text: string; timestamp: number }[] {
  return Array.from({ length: count }, (_, i) => ({ text: `${WORDS[i % 8]} ${WORDS[(i * 3) % 8]} ${WORDS[(i * 5 + 1) % 8]}`, timestamp: i * 10 }));
}

function reference(input: { text: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of input) for (const w of l.text.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

async function openLog(): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(tempDir('tributary-state-log-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  logs.push(log);
  return log;
}

async function startApp(log: EmbeddedLog, config: Partial<StreamsConfig>): Promise<StreamsApp> {
  const app = new StreamsApp(wordCount(), { applicationId: 'wc', log, commitIntervalMs: 20, ...config });
  await app.start();
  return app;
}

async function drained(app: StreamsApp, log: EmbeddedLog): Promise<void> {
  const topics = ['lines', ...[...wordCount().internalTopics.keys()].map((t) => `wc-${t}`)];
  await until(async () => app.state === 'ERROR' || (await caughtUp(log, 'wc', topics)), 'the app to catch up', 60_000);
  expect(app.error).toBeUndefined();
}

/** The last value written per key to the output topic. */
async function latestOutput(log: EmbeddedLog): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  for (let p = 0; p < 4; p++) for (const r of await readAll(log, 'counts', p)) latest.set(r.key!.toString(), Number(r.value!.readBigInt64BE(0)));
  return latest;
}

/** Produces lines to 'lines', keyed `line-<n>` from `first` on. */
async function produceLines(log: EmbeddedLog, input: { text: string; timestamp: number }[], first = 0): Promise<void> {
  await log.produce(input.map((l, i) => ({ topic: 'lines', key: Buffer.from(`line-${first + i}`), value: Buffer.from(l.text), timestamp: l.timestamp })));
}

/** Waits until the output holds every expected final count (commits flush held results), then checks the store has them too. */
async function expectFinalCounts(app: StreamsApp, log: EmbeddedLog, expected: Map<string, number>): Promise<void> {
  await until(async () => {
    const out = await latestOutput(log);
    return [...expected].every(([w, c]) => out.get(w) === c);
  }, 'every final count in the output');
  const store = app.store<ReadOnlyKeyValueStore<string, number>>('word-counts');
  for (const [word, count] of expected) expect(store.get(word)).toBe(count);
}

/**
 * A copy of a cleanly closed state folder whose task databases hold their contents in LevelDB's
 * write-ahead log, as after a crash (a clean close writes it out to a table): each database gets
 * its entries written again, unchanged, and is copied before it is closed.
 */
async function asCrashLeftIt(stateDir: string): Promise<string> {
  const copy = tempDir('tributary-state-crashed-');
  for (const task of fs.readdirSync(path.join(stateDir, 'wc'))) {
    const dir = path.join(stateDir, 'wc', task);
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const entries = await db.iterator().all();
    await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
    fs.cpSync(dir, path.join(copy, 'wc', task), { recursive: true });
    await db.close();
  }
  return copy;
}

const sortByKey = <T extends { key: unknown }>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));

/** An app that counted 300 lines into a state folder and closed: the log, the folder and the word counts it held. */
async function countedAndClosed(guarantee: 'at_least_once' | 'exactly_once') {
  const log = await openLog();
  await log.createTopic('lines', { partitions: 4 });
  await log.createTopic('counts', { partitions: 4 });
  const input = lines(300);
  await produceLines(log, input);
  const stateDir = tempDir('tributary-state-');
  const first = await startApp(log, { processingGuarantee: guarantee, stateDir });
  await drained(first, log);
  const before = await first.store<ReadOnlyKeyValueStore<string, number>>('word-counts').all();
  const windowsBefore = await first.store<ReadOnlyWindowStore<string, number>>('word-counts-per-second').all();
  await first.close();
  return { log, input, stateDir, before, windowsBefore };
}

describe.each(['at_least_once', 'exactly_once'] as const)('a stateful app on EmbeddedLog (%s)', (guarantee) => {
  it('counts words across partitions; output, queries and changelog agree with a reference', async () => {
    const log = await openLog();
    await log.createTopic('lines', { partitions: 4 });
    await log.createTopic('counts', { partitions: 4 });
    const input = lines(400);
    await produceLines(log, input);
    const app = await startApp(log, { processingGuarantee: guarantee, stateDir: tempDir('tributary-state-') });
    await drained(app, log);
    const expected = reference(input);
    await expectFinalCounts(app, log, expected);
    const store = app.store<ReadOnlyKeyValueStore<string, number>>('word-counts');
    expect((await store.all()).length).toBe(expected.size);
    const windows = app.store<ReadOnlyWindowStore<string, number>>('word-counts-per-second');
    const perSecond = windows.fetch('apple', 3_000, 3_999);
    expect(perSecond).toEqual([{ key: 3_000, value: input.filter((l) => l.timestamp >= 3_000 && l.timestamp < 4_000).flatMap((l) => l.text.split(' ')).filter((w) => w === 'apple').length }]);
    expect((await log.describeTopic('wc-word-counts-changelog')).config.cleanupPolicy).toBe('compact');
    await app.close();
    expect(() => store.get('apple')).toThrow(StoreNotReadyError);
  });

  it('rebuilds identical stores from the changelogs when the state folder is deleted', async () => {
    const { log, input, stateDir, before, windowsBefore } = await countedAndClosed(guarantee);
    fs.rmSync(stateDir, { recursive: true, force: true });

    const second = await startApp(log, { processingGuarantee: guarantee, stateDir });
    await drained(second, log);
    expect(second.metrics().restoredRecords).toBeGreaterThan(0);
    expect(sortByKey(await second.store<ReadOnlyKeyValueStore<string, number>>('word-counts').all())).toEqual(sortByKey(before));
    expect(sortByKey(await second.store<ReadOnlyWindowStore<string, number>>('word-counts-per-second').all())).toEqual(sortByKey(windowsBefore));
    expect(Object.fromEntries(sortByKey(before).map((e) => [e.key, e.value]))).toEqual(Object.fromEntries([...reference(input)].sort()));

    // A warm restart (state folder kept) restores nothing, and counting goes on from the same state.
    await second.close();
    const third = await startApp(log, { processingGuarantee: guarantee, stateDir });
    expect(third.metrics().restoredRecords).toBe(0);
    await log.produce([{ topic: 'lines', key: Buffer.from('more'), value: Buffer.from('apple apple'), timestamp: 10_000 }]);
    await drained(third, log);
    await until(() => third.store<ReadOnlyKeyValueStore<string, number>>('word-counts').get('apple') === reference(input).get('apple')! + 2, 'the new words counted');
    await third.close();
  });

  it('rebuilds the stores of a task database found damaged from their changelogs', async () => {
    const { log, stateDir: closedDir, before, windowsBefore } = await countedAndClosed(guarantee);
    const stateDir = await asCrashLeftIt(closedDir);
    // Bytes in the middle of each task database's write-ahead log overwritten (disk damage).
    let damaged = 0;
    for (const task of fs.readdirSync(path.join(stateDir, 'wc'))) {
      const dir = path.join(stateDir, 'wc', task);
      for (const f of fs.readdirSync(dir).filter((name) => name.endsWith('.log'))) {
        const bytes = fs.readFileSync(path.join(dir, f));
        if (bytes.length < 200) continue;
        bytes.fill(0xa5, bytes.length >> 1, (bytes.length >> 1) + 16);
        fs.writeFileSync(path.join(dir, f), bytes);
        damaged++;
      }
    }
    expect(damaged).toBeGreaterThan(0);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const second = await startApp(log, { processingGuarantee: guarantee, stateDir });
    await drained(second, log);
    expect(warn.mock.calls.filter(([m]) => /state database .* is damaged/.test(String(m)))).toHaveLength(damaged);
    warn.mockRestore();
    expect(second.metrics().restoredRecords).toBeGreaterThan(0);
    expect(sortByKey(await second.store<ReadOnlyKeyValueStore<string, number>>('word-counts').all())).toEqual(sortByKey(before));
    expect(sortByKey(await second.store<ReadOnlyWindowStore<string, number>>('word-counts-per-second').all())).toEqual(sortByKey(windowsBefore));
    await second.close();
  });
});

describe('exactly_once when a transaction fails to commit', () => {
  it('drops the failed commit and the work after it, restarts from the last commit, and counts every word exactly once', async () => {
    const log = await openLog();
    await log.createTopic('lines', { partitions: 4 });
    await log.createTopic('counts', { partitions: 4 });
    // Three transactions fail at commit (from the second on: one transaction holds all four tasks),
    // as when the log is unavailable for a moment;
    // under exactly_once a commit's last step runs while the next round is processed.
    const open = log.transaction.bind(log);
    let begun = 0;
    let doomed = 0;
    let failed = 0;
    log.transaction = async (id: string) => {
      const txn = await open(id);
      if (++begun >= 2 && doomed < 3) {
        doomed++;
        txn.commit = async () => {
          failed++;
          throw new TributaryError('LOG_UNAVAILABLE', 'injected: the log is unavailable', { retriable: true });
        };
      }
      return txn;
    };
    const first = lines(200);
    await produceLines(log, first);
    const app = await startApp(log, { processingGuarantee: 'exactly_once', stateDir: tempDir('tributary-state-') });
    await until(() => failed > 0 && app.metrics().recoveries > 0 && app.state === 'RUNNING', 'a failed commit and the recovery', 20_000);
    const all = lines(400);
    const rest = all.slice(200);
    await produceLines(log, rest, 200);
    await drained(app, log);
    await expectFinalCounts(app, log, reference(all));
    expect(app.metrics().recoveries).toBeGreaterThan(0);
    // read_committed output: each word's counts rise by one per occurrence, never repeating a count.
    const seen = new Map<string, number[]>();
    for (let p = 0; p < 4; p++) for (const r of await readAll(log, 'counts', p)) seen.set(r.key!.toString(), [...(seen.get(r.key!.toString()) ?? []), Number(r.value!.readBigInt64BE(0))]);
    for (const counts of seen.values()) expect(counts).toEqual([...counts].sort((a, b) => a - b).filter((c, i, a) => a.indexOf(c) === i));
    await app.close();
  });
});

// Clean handovers (each leaving instance commits first) lose and repeat nothing at either guarantee.
describe.each(['at_least_once', 'exactly_once'] as const)('a stateful app while instances join and leave (%s)', (guarantee) => {
  it('hands tasks over with commits in flight: counts stay exact and no committed output counts a record twice', async () => {
    // A schedule toggles one of three instances per round (start it if stopped, close it if running).
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 10 }), async (toggles) => {
        const log = await openLog();
        await log.createTopic('lines', { partitions: 4 });
        await log.createTopic('counts', { partitions: 4 });
        // Each instance has its own state folder (as on three machines): a task that moves restores
        // from the changelog, and one that comes back finds its old folder behind.
        const stateDirs = [0, 1, 2].map(() => tempDir('tributary-state-'));
        const running: (StreamsApp | undefined)[] = [undefined, undefined, undefined];
        const closed: StreamsApp[] = [];
        const processed = () => [...running, ...closed].reduce((n, app) => n + (app?.metrics().processedRecords ?? 0), 0);
        const perRound = 60;
        const all = lines(perRound * (toggles.length + 2));
        const start = async (i: number) => {
          running[i] = await startApp(log, { processingGuarantee: guarantee, stateDir: stateDirs[i]!, commitIntervalMs: 5 });
        };
        const stop = async (i: number, after: number) => {
          // Some of the round's records are being processed (a commit is likely in flight) when it leaves.
          await until(() => processed() > after, 'progress before an instance leaves');
          await running[i]!.close();
          closed.push(running[i]!);
          running[i] = undefined;
        };
        await start(0);
        for (const [round, i] of toggles.entries()) {
          const before = processed();
          await produceLines(log, all.slice(round * perRound, (round + 1) * perRound), round * perRound);
          if (running[i] === undefined) await start(i);
          else await stop(i, before);
          for (const app of running) expect(app?.error).toBeUndefined();
        }
        // One instance finishes alone, so its store holds every word.
        let keep = running.findIndex((app) => app !== undefined);
        if (keep === -1) await start((keep = 0));
        for (const [i, other] of running.entries()) if (other !== undefined && i !== keep) await stop(i, -1);
        const app = running[keep]!;
        await produceLines(log, all.slice(toggles.length * perRound), toggles.length * perRound);
        await drained(app, log);
        await expectFinalCounts(app, log, reference(all));
        // read_committed output: each word's counts only rise (a record counted twice, or a task
        // restored stale after a handover, would show as a repeat or a fall).
        for (let p = 0; p < 4; p++) {
          const seen = new Map<string, number>();
          for (const r of await readAll(log, 'counts', p)) {
            const word = r.key!.toString();
            const count = Number(r.value!.readBigInt64BE(0));
            expect(count, `${word} after ${seen.get(word)}`).toBeGreaterThan(seen.get(word) ?? 0);
            seen.set(word, count);
          }
        }
        await app.close();
        await log.close();
        logs.splice(logs.indexOf(log), 1);
      }),
      { numRuns: 6 },
    );
  });
});

describe('a GlobalKTable', () => {
  it('is loaded from every partition before processing, follows new records, and is queryable', async () => {
    const log = await openLog();
    await log.createTopic('products', { partitions: 3 });
    await log.createTopic('orders', { partitions: 2 });
    await log.createTopic('orders-copy', { partitions: 2 });
    await log.produce(Array.from({ length: 300 }, (_, i) => ({ topic: 'products', key: Buffer.from(`p${i}`), value: Buffer.from(`product ${i}`) })));
    const builder = new StreamsBuilder();
    const products = builder.globalTable('products', { key: s, value: s }, { name: 'products' });
    builder.stream('orders', { key: s, value: s }).to('orders-copy');
    const stateDir = tempDir('tributary-state-');
    const app = new StreamsApp(builder.build(), { applicationId: 'shop', log, stateDir });
    await app.start();
    const store = app.store<ReadOnlyKeyValueStore<string, string>>(products.queryableStoreName);
    expect(store.get('p299')).toBe('product 299');
    expect(await store.approximateNumEntries()).toBe(300);
    await log.produce([{ topic: 'products', key: Buffer.from('p1'), value: Buffer.from('renamed') }, { topic: 'products', key: Buffer.from('p2'), value: null }]);
    await until(() => store.get('p1') === 'renamed' && store.get('p2') === undefined, 'the global table to follow its topic');
    await app.close();
    // A restart resumes from the saved offsets: nothing is loaded again.
    const again = new StreamsApp(builder.build(), { applicationId: 'shop', log, stateDir });
    await again.start();
    expect(again.metrics().restoredRecords).toBe(0);
    expect(again.store<ReadOnlyKeyValueStore<string, string>>('products').get('p1')).toBe('renamed');
    await again.close();
  });
});

describe('staged writes', () => {
  it('are committed before the commit interval once a task holds many of them, so memory stays bounded', async () => {
    const log = await openLog();
    await log.createTopic('events', { partitions: 1 });
    const keys = 40_000;
    await log.produce(Array.from({ length: keys }, (_, i) => ({ topic: 'events', key: Buffer.from(`k${i}`), value: Buffer.from('x') })));
    const builder = new StreamsBuilder();
    builder.stream('events', { key: s, value: s }).groupByKey().count({ name: 'counts' });
    const app = new StreamsApp(builder.build(), { applicationId: 'many-keys', log, stateDir: tempDir('tributary-state-'), commitIntervalMs: 3_600_000 });
    await app.start();
    await until(() => app.metrics().processedRecords === keys, 'every record to be processed', 60_000);
    // An hour-long interval has not passed: each commit so far was forced by the staged writes.
    expect(app.metrics().commits).toBeGreaterThanOrEqual(2);
    await app.close();
    const committed = await log.committedOffsets('many-keys', 'events');
    expect(committed[0]?.offset).toBe(keys);
  });

  it('are committed sooner when they hardly coalesce (new keys), and held longer when keys repeat', async () => {
    const log = await openLog();
    await log.createTopic('fresh', { partitions: 1 });
    await log.createTopic('repeats', { partitions: 1 });
    const records = 15_000;
    // Every key new, then each key written four times in a row: the same record count.
    await log.produce(Array.from({ length: records }, (_, i) => ({ topic: 'fresh', key: Buffer.from(`k${i}`), value: Buffer.from('x') })));
    await log.produce(Array.from({ length: records }, (_, i) => ({ topic: 'repeats', key: Buffer.from(`k${Math.floor(i / 4)}`), value: Buffer.from('x') })));
    const commitsFor = async (topic: string) => {
      const builder = new StreamsBuilder();
      builder.stream(topic, { key: s, value: s }).groupByKey().count({ name: 'counts' });
      const app = new StreamsApp(builder.build(), { applicationId: `coalescing-${topic}`, log, stateDir: tempDir('tributary-state-'), commitIntervalMs: 3_600_000 });
      await app.start();
      await until(() => app.metrics().processedRecords === records, 'every record to be processed', 60_000);
      const commits = app.metrics().commits;
      await app.close();
      return commits;
    };
    // New keys: a commit every ~2k staged keys (at 10k there would be one so far).
    expect(await commitsFor('fresh')).toBeGreaterThanOrEqual(4);
    // 3,750 keys each written 4 times: staging saves three writes in four, so nothing is forced.
    expect(await commitsFor('repeats')).toBe(0);
  });

  it('are not committed early for a burst of new keys after a commit whose keys repeated (a new window starts)', async () => {
    const log = await openLog();
    await log.createTopic('burst', { partitions: 1 });
    // 3,750 keys written 4 times each, then a record asking for a commit, then 4,000 new keys.
    const repeats = Array.from({ length: 15_000 }, (_, i) => `k${Math.floor(i / 4)}`);
    const fresh = Array.from({ length: 4_000 }, (_, i) => `new${i}`);
    const keys = [...repeats, 'commit-now', ...fresh];
    await log.produce(keys.map((k) => ({ topic: 'burst', key: Buffer.from(k), value: Buffer.from('x') })));
    const topology = new Topology()
      .addSource('src', ['burst'], { keySerde: s, valueSerde: s })
      .addProcessor<string, string, never, never>('count', () => {
        let store: KeyValueStore<string, number>;
        let commit: () => void;
        return {
          init: (c) => {
            store = c.getStateStore<KeyValueStore<string, number>>('counts');
            commit = () => c.commit();
          },
          process: (r) => {
            store.put(r.key, (store.get(r.key) ?? 0) + 1);
            if (r.key === 'commit-now') commit();
          },
        };
      }, 'src')
      .addStateStore(Stores.keyValueStore({ name: 'counts', keySerde: s, valueSerde: n }), 'count');
    const app = new StreamsApp(topology, { applicationId: 'burst', log, stateDir: tempDir('tributary-state-'), commitIntervalMs: 3_600_000 });
    await app.start();
    await until(() => app.metrics().processedRecords === keys.length, 'every record to be processed', 60_000);
    // Only the requested commit: the 4,000 new keys (past the 2k bound for new keys) wait for the
    // interval, as the last commit coalesced; a steady run of new keys still commits early (above).
    expect(app.metrics().commits).toBe(1);
    await app.close();
  });
});
