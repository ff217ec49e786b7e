import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog, InvalidConfigError, SerializationError, Serdes, StoreNotReadyError, StreamsApp, TopologyError, type LogRecord, type ReadOnlyKeyValueStore, type ReadOnlyWindowStore, type StreamsConfig } from '../../src/index.js';
import { partitionForKey } from '../../src/runtime/log/murmur2.js';
import { readAll } from '../helpers/read-all.js';
import { caughtUp, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import uppercase from './fixtures/uppercase-topology.js';
import { wordCount } from './fixtures/word-count-topology.js';

// Stream threads (numStreamThreads > 1): thread 0 on the main thread, the others on worker
// threads, each building the topology from a module and reaching the main thread's EmbeddedLog
// through a LogServer.
const UPPERCASE = new URL('./fixtures/uppercase-topology.ts', import.meta.url);
const WORD_COUNT = new URL('./fixtures/word-count-topology.ts', import.meta.url);
const ENRICHMENT = new URL('./fixtures/order-enrichment-topology.ts', import.meta.url);
const WINDOWED_COUNT = new URL('../../bench/topologies/windowed-count.ts', import.meta.url);
/** What the word-count app reads: its input and its repartition topic. */
const WC_INPUTS = ['lines', ...[...wordCount().internalTopics.keys()].map((t) => `wc-${t}`)];
const WORDS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date', 'yuzu'];

const logs: EmbeddedLog[] = [];
const apps: StreamsApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const log of logs.splice(0)) await log.close();
});

async function openLog(topics: Record<string, number>): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(tempDir('tributary-threads-log-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  logs.push(log);
  for (const [topic, partitions] of Object.entries(topics)) await log.createTopic(topic, { partitions });
  return log;
}

async function fromModule(module: URL, config: StreamsConfig, exportName?: string): Promise<StreamsApp> {
  const app = await StreamsApp.fromModule(module, config, exportName);
  apps.push(app);
  return app;
}

const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ topic: 'lines', key: Buffer.from(`l${from + i}`), value: Buffer.from(JSON.stringify({ text: `${WORDS[(from + i) % 8]} ${WORDS[((from + i) * 3) % 8]}` })) }));

function expectedCounts(count: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < count; i++) for (const w of [WORDS[i % 8]!, WORDS[(i * 3) % 8]!]) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Every record of every partition of a topic. */
async function readTopic(log: EmbeddedLog, topic: string): Promise<LogRecord[]> {
  const partitions = (await log.describeTopic(topic)).partitions.length;
  const out: LogRecord[] = [];
  for (let p = 0; p < partitions; p++) out.push(...(await readAll(log, topic, p)));
  return out;
}

/** The newest count per word on the counts topic (a word's counts all go to one partition). */
async function latestCounts(log: EmbeddedLog): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  for (const r of await readTopic(log, 'counts')) latest.set(r.key!.toString(), Number(Serdes.int64().deserialize('counts', r.value!)));
  return latest;
}

describe('stream threads (numStreamThreads > 1)', () => {
  it('splits the partitions between the threads and processes every record once', async () => {
    const log = await openLog({ in: 4, out: 4 });
    await log.produce(Array.from({ length: 2_000 }, (_, i) => ({ topic: 'in', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
    const states: string[] = [];
    const app = await fromModule(UPPERCASE, { applicationId: 'up', log, stateDir: tempDir('tributary-threads-state-'), numStreamThreads: 2, commitIntervalMs: 20 });
    app.setStateListener((to) => states.push(to));
    await app.start();
    expect(app.state).toBe('RUNNING');
    const group = await log.describeGroup('up');
    expect(group.members.map((m) => m.assignment.length)).toEqual([2, 2]);
    await until(async () => caughtUp(log, 'up', ['in']), 'the threads to catch up');
    expect(app.error).toBeUndefined();
    await app.close();
    expect(app.metrics().processedRecords).toBe(2_000); // the threads' final counts, summed
    expect(states.at(-1)).toBe('NOT_RUNNING');
    expect((await log.describeGroup('up')).members).toEqual([]);
    const out = (await readTopic(log, 'out')).map((r) => `${r.key}=${r.value}`).sort();
    expect(out).toEqual(Array.from({ length: 2_000 }, (_, i) => `k${i}=V${i}`).sort());
  });

  it('keeps exact counts at exactly_once across a restart, whichever thread gets which task', async () => {
    const log = await openLog({ lines: 4, counts: 4 });
    const stateDir = tempDir('tributary-threads-state-');
    const config: StreamsConfig = { applicationId: 'wc', log, stateDir, processingGuarantee: 'exactly_once', numStreamThreads: 2 };
    await log.produce(lines(0, 600));
    const first = await fromModule(WORD_COUNT, config, 'wordCount');
    await first.start();
    await until(async () => caughtUp(log, 'wc', WC_INPUTS), 'the first run to catch up', 60_000);
    await first.close();
    expect(await latestCounts(log)).toEqual(expectedCounts(600));
    // The second run restores from LevelDB and the changelogs, with three threads this time.
    await log.produce(lines(600, 400));
    const second = await fromModule(WORD_COUNT, { ...config, numStreamThreads: 3 }, 'wordCount');
    await second.start();
    await until(async () => caughtUp(log, 'wc', WC_INPUTS), 'the second run to catch up', 60_000);
    await second.close();
    expect(await latestCounts(log)).toEqual(expectedCounts(1_000));
  });

  it('rebuilds the error class a thread failed with, and stops the app in ERROR', async () => {
    const log = await openLog({ lines: 2, counts: 2 });
    // On both partitions: whichever thread (main or worker) fails first, the app's error is the real class.
    await log.produce([0, 1].map((partition) => ({ topic: 'lines', partition, key: Buffer.from('bad'), value: Buffer.from('{not json') })));
    const app = await fromModule(WORD_COUNT, { applicationId: 'bad', log, stateDir: tempDir('tributary-threads-state-'), numStreamThreads: 2 }, 'wordCount');
    await app.start();
    await until(() => app.state === 'ERROR', 'the app to fail');
    expect(app.error).toBeInstanceOf(SerializationError);
    expect((app.error as SerializationError).message).toMatch(/lines/);
  });

  it('asks the uncaught-exception handler on the main thread, and replaces the thread when it says so', async () => {
    const log = await openLog({ in: 2, out: 2 });
    const seen: string[] = [];
    const app = await fromModule(UPPERCASE, {
      applicationId: 'boom',
      log,
      stateDir: tempDir('tributary-threads-state-'),
      numStreamThreads: 2,
      uncaughtExceptionHandler: (e) => {
        seen.push((e as Error).message);
        return seen.length < 2 ? 'replace_thread' : 'shutdown_client';
      },
    });
    await app.start();
    // Produced once every thread has its partition, to both partitions: the worker thread gets
    // one, and only there does "boom" throw.
    await log.produce([0, 1].map((partition) => ({ topic: 'in', partition, key: Buffer.from('a'), value: Buffer.from('boom') })));
    await until(() => app.state === 'ERROR', 'the app to give up', 20_000);
    // Asked from the worker: replaced once, the same record fails again, then shut down.
    expect(seen).toEqual(['boom', 'boom']);
    expect((app.error as Error).message).toBe('boom');
  });

  it('loads a GlobalKTable in every thread, each into its own folder, and joins against it', async () => {
    const log = await openLog({ products: 3, orders: 4, enriched: 4 });
    await log.produce(Array.from({ length: 50 }, (_, i) => ({ topic: 'products', key: Buffer.from(`p${i}`), value: Buffer.from(`product ${i}`) })));
    const stateDir = tempDir('tributary-threads-state-');
    const app = await fromModule(ENRICHMENT, { applicationId: 'shop', log, stateDir, numStreamThreads: 2, commitIntervalMs: 20 });
    await app.start();
    // Every partition has orders, so both threads join against their own copy of the table.
    await log.produce(Array.from({ length: 200 }, (_, i) => ({ topic: 'orders', partition: i % 4, key: Buffer.from(`o${i}`), value: Buffer.from(`p${i % 50}`) })));
    await until(async () => caughtUp(log, 'shop', ['orders']), 'the threads to catch up');
    await app.close();
    const out = (await readTopic(log, 'enriched')).map((r) => `${r.key}=${r.value}`).sort();
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => `o${i}=p${i % 50}:product ${i % 50}`).sort());
    expect(fs.readdirSync(path.join(stateDir, 'shop')).filter((f) => f.startsWith('global-thread-')).sort()).toEqual(['global-thread-0', 'global-thread-1']);
  });

  it('answers interactive queries from the instances of a store on every thread', async () => {
    const log = await openLog({ lines: 4, counts: 4 });
    await log.produce(lines(0, 400));
    const app = await fromModule(WORD_COUNT, { applicationId: 'iq', log, stateDir: tempDir('tributary-threads-state-'), numStreamThreads: 2, commitIntervalMs: 20 }, 'wordCount');
    const counts = app.store<ReadOnlyKeyValueStore<string, number>>('word-counts');
    expect(() => counts.get('apple')).toThrow(StoreNotReadyError);
    await app.start();
    const inputs = ['lines', ...[...wordCount().internalTopics.keys()].map((t) => `iq-${t}`)];
    await until(async () => caughtUp(log, 'iq', inputs), 'the threads to catch up', 60_000);
    // The words' partitions of the repartition topic belong to both threads (main and worker).
    const repartition = inputs[1]!;
    const owners = (await log.describeGroup('iq')).members.map((m) => new Set(m.assignment.filter((tp) => tp.topic === repartition).map((tp) => tp.partition)));
    const partitionsOfWords = new Set(WORDS.map((w) => partitionForKey(Buffer.from(w), 4)));
    for (const owned of owners) expect([...owned].some((p) => partitionsOfWords.has(p))).toBe(true);
    const expected = expectedCounts(400);
    for (const word of WORDS) expect(counts.get(word)).toBe(expected.get(word));
    expect(counts.get('not-a-word')).toBeUndefined();
    const all = (await counts.all()).map((kv) => `${kv.key}=${kv.value}`).sort();
    expect(all).toEqual([...expected].map(([w, n]) => `${w}=${n}`).sort());
    expect((await counts.range('apple', 'fig')).map((kv) => kv.key).sort()).toEqual(['apple', 'date', 'fig']);
  });

  it('answers window-store queries from every thread', async () => {
    const log = await openLog({ in: 4, out: 4 });
    const app = await fromModule(WINDOWED_COUNT, { applicationId: 'wq', log, stateDir: tempDir('tributary-threads-state-'), numStreamThreads: 2, commitIntervalMs: 20 });
    await app.start();
    // Keys on every partition, three records each in the first one-minute window.
    const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
    await log.produce(keys.flatMap((key, i) => [0, 1, 29_000].map((t) => ({ topic: 'in', partition: i % 4, key: Buffer.from(key), value: Buffer.from('x'), timestamp: 1_000 + t }))));
    await until(async () => caughtUp(log, 'wq', ['in']), 'the threads to catch up');
    const counts = app.store<ReadOnlyWindowStore<string, number>>('counts');
    for (const key of keys) {
      expect(counts.fetch(key, 0)).toBe(3);
      expect(counts.fetch(key, 0, 60_000)).toEqual([{ key: 0, value: 3 }]);
    }
    expect(counts.fetch('key-99', 0)).toBeUndefined();
    expect((await counts.fetchAll(0, 60_000)).map((kv) => `${kv.key.key}@${kv.key.window.start}=${kv.value}`).sort()).toEqual(keys.map((k) => `${k}@0=3`).sort());
  });

  it('refuses what worker threads cannot take, with typed errors', async () => {
    const log = await openLog({ in: 1, out: 1 });
    expect(() => new StreamsApp(uppercase(), { applicationId: 'x', log, numStreamThreads: 2 })).toThrow(InvalidConfigError);
    await expect(StreamsApp.fromModule(UPPERCASE, { applicationId: 'x', log, numStreamThreads: 2, defaultKeySerde: Serdes.string() })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(StreamsApp.fromModule(UPPERCASE, { applicationId: 'x', log, numStreamThreads: 0 })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(StreamsApp.fromModule(WORD_COUNT, { applicationId: 'x', log }, 'notATopology')).rejects.toBeInstanceOf(TopologyError);
    await expect(StreamsApp.fromModule(new URL('./fixtures/missing.ts', import.meta.url), { applicationId: 'x', log })).rejects.toBeInstanceOf(TopologyError);
  });

  it('runs a module topology in the calling thread when numStreamThreads is 1', async () => {
    const log = await openLog({ in: 2, out: 2 });
    await log.produce([{ topic: 'in', key: Buffer.from('a'), value: Buffer.from('x') }]);
    const app = await fromModule(UPPERCASE, { applicationId: 'one', log, stateDir: tempDir('tributary-threads-state-') });
    await app.start();
    await until(async () => (await readAll(log, 'out')).length === 1, 'the output');
    expect((await readAll(log, 'out'))[0]!.value!.toString()).toBe('X');
  });
});
