// Stateful throughput on EmbeddedLog: tumbling-window count (1-minute windows, LevelDB store +
// changelog) with 10k and 1M distinct keys, at_least_once and exactly_once; then cold restore of
// the 1M-key store from its changelog (state folder deleted) and a warm restart (folder kept); for
// 10k keys also at_least_once with exactly_once's 100 ms commit interval (what exactly_once itself
// costs, apart from committing 300 times as often as at_least_once's 30 s default); and both
// guarantees on two stream threads, for 10k and 1M keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inFreshProcess } from './fresh-process.js';
import { settleDisk } from './settle-disk.js';
import { timedRun } from './timed-run.js';
import { ALOS, ALOS_100MS, BOTH_GUARANTEES, BOTH_GUARANTEES_AND_ALOS_100MS, EOS, meanOf, repeated, runsInOrder, type Variant } from './variants.js';
import { EmbeddedLog, StreamsApp } from '../src/index.js';
import topology from './topologies/windowed-count.js';

/**
 * Records per run with 10k keys: 50 one-minute windows, long enough to time the rate an app keeps
 * rather than its start (when at_least_once still committed at every window boundary after its
 * first ~1M records, 3 interleaved pairs read exactly_once / at_least_once 0.78 at 1M and 0.87 at
 * 3M). Since a window's burst of new keys forces no commit (25f04c9), at_least_once commits 8
 * times in 3M records (counted once), exactly_once about every 100 ms.
 */
const RECORDS = Number(process.env.BENCH_STATEFUL_RECORDS ?? 3_000_000);
/** Records per run for `keys` distinct keys: with 1M keys, each key once. */
const recordsFor = (keys: number) => (keys === 1_000_000 ? Math.min(RECORDS, keys) : RECORDS);
const PARTITIONS = 8;
const APP = 'windowed-count';

/** The topology as a module: stream threads (worker threads) build it from it. */
const TOPOLOGY_MODULE = new URL('./topologies/windowed-count.ts', import.meta.url);

async function freshLog(dir: string, keys: number): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0 });
  await log.createTopic('in', { partitions: PARTITIONS });
  await log.createTopic('out', { partitions: PARTITIONS });
  const value = Buffer.from('x'.repeat(100));
  for (let i = 0; i < recordsFor(keys); i += 1000) {
    await log.produce(Array.from({ length: 1000 }, (_, j) => ({ topic: 'in', key: Buffer.from(`key-${(i + j) % keys}`), value, timestamp: 1_700_000_000_000 + i + j })));
  }
  // Reopened: the filler's garbage and unwritten pages are not the app's to pay for.
  await log.close();
  settleDisk();
  return EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0 });
}

/**
 * Fills a log in `dir` and returns the app's records per second on it, the final commit included
 * (timed as timedRun says). Exported for inFreshProcess: each timed run has a process of its own.
 */
export async function statefulThroughput(dir: string, keys: number, guarantee: 'at_least_once' | 'exactly_once', commitIntervalMs: number | null, threads: number): Promise<number> {
  const log = await freshLog(path.join(dir, 'log'), keys);
  const config = { applicationId: APP, log, stateDir: path.join(dir, 'state'), processingGuarantee: guarantee, numStreamThreads: threads, ...(commitIntervalMs !== null && { commitIntervalMs }) };
  const app = threads > 1 ? await StreamsApp.fromModule(TOPOLOGY_MODULE, config) : new StreamsApp(topology(), config);
  const perSecond = await timedRun(app, recordsFor(keys), threads, true);
  await log.close();
  return perSecond;
}

/**
 * Time for start() to resolve on the app's log in `dir` (tasks assigned, stores opened and
 * restored), with the state folder deleted first when `cold`. Exported for inFreshProcess: a
 * restart is a new process.
 */
export async function restartTime(dir: string, cold: boolean): Promise<{ ms: number; restored: number }> {
  const stateDir = path.join(dir, 'state');
  if (cold) fs.rmSync(stateDir, { recursive: true, force: true });
  const log = await EmbeddedLog.open(path.join(dir, 'log'), { fsync: 'commit', maintenanceIntervalMs: 0 });
  const app = new StreamsApp(topology(), { applicationId: APP, log, stateDir, processingGuarantee: 'at_least_once' });
  const started = performance.now();
  await app.start();
  const ms = Math.round(performance.now() - started);
  const restored = app.metrics().restoredRecords;
  await app.close();
  await log.close();
  return { ms, restored };
}

/** statefulThroughput in a new process. */
function run(dir: string, keys: number, variant: Variant, threads = 1): number {
  return inFreshProcess<number>(new URL(import.meta.url), 'statefulThroughput', [dir, keys, variant.guarantee, variant.commitIntervalMs ?? null, threads]);
}

/**
 * Runs each variant of `order` in turn, each in a folder of its own that `afterRun` may use
 * (the folder is deleted after it); returns the rates in order.
 */
function runAll(root: string, keys: number, order: readonly Variant[], threads: number, afterRun?: (dir: string, n: number) => void): number[] {
  return order.map((variant, n) => {
    const dir = path.join(root, `${keys}-${variant.guarantee}-${threads}t-${n}`);
    const rate = run(dir, keys, variant, threads);
    afterRun?.(dir, n);
    fs.rmSync(dir, { recursive: true, force: true });
    return rate;
  });
}

export async function runStatefulBench(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-stateful-'));
  const results: Record<string, number | string> = { 'records, 10k keys': recordsFor(10_000), 'records, 1M keys': recordsFor(1_000_000), partitions: PARTITIONS };
  try {
    for (const keys of [10_000, 1_000_000]) {
      // 10k keys: each variant four times, 1M keys twice, in an order symmetric about its middle,
      // so a steady drift of the machine's speed cancels out of their ratios.
      const order = keys === 10_000 ? repeated(BOTH_GUARANTEES_AND_ALOS_100MS, 2) : BOTH_GUARANTEES;
      const rates = runAll(root, keys, order, 1, (dir, n) => {
        if (keys !== 1_000_000 || n !== 0) return;
        const restart = (cold: boolean) => inFreshProcess<{ ms: number; restored: number }>(new URL(import.meta.url), 'restartTime', [dir, cold]);
        const cold = restart(true);
        results['cold restore ms'] = cold.ms;
        results['cold restore records'] = cold.restored;
        const warm = restart(false);
        results['warm restart ms'] = warm.ms;
        results['warm restart restored records'] = warm.restored;
      });
      const alos = meanOf(order, rates, ALOS);
      const eos = meanOf(order, rates, EOS);
      results[`keys ${keys} at_least_once rec/s`] = alos;
      results[`keys ${keys} exactly_once rec/s`] = eos;
      results[`keys ${keys} exactly_once / at_least_once`] = Math.round((eos / alos) * 100) / 100;
      if (keys === 10_000) {
        const alos100 = meanOf(order, rates, ALOS_100MS);
        results[`keys ${keys} at_least_once commitIntervalMs 100 rec/s`] = alos100;
        results[`keys ${keys} exactly_once / at_least_once, both committing every 100 ms`] = Math.round((eos / alos100) * 100) / 100;
      }
      results[`keys ${keys} runs in order`] = runsInOrder(order, rates);
      // The same on two stream threads (worker threads), after the runs above: four times each
      // with 10k keys, twice with 1M.
      const order2 = keys === 10_000 ? repeated(BOTH_GUARANTEES, 2) : BOTH_GUARANTEES;
      const rates2 = runAll(root, keys, order2, 2);
      const alos2 = meanOf(order2, rates2, ALOS);
      const eos2 = meanOf(order2, rates2, EOS);
      results[`keys ${keys} at_least_once 2 threads rec/s`] = alos2;
      results[`keys ${keys} exactly_once 2 threads rec/s`] = eos2;
      results[`keys ${keys} exactly_once / at_least_once, 2 threads`] = Math.round((eos2 / alos2) * 100) / 100;
      results[`keys ${keys} 2 threads runs in order`] = runsInOrder(order2, rates2);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return results;
}
