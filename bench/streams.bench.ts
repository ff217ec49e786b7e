// StreamsApp throughput and latency on EmbeddedLog: filter → mapValues → to, 8 partitions; and the
// same per-record work in a plain loop (no log, no engine) measured in the same run, for scale.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inFreshProcess } from './fresh-process.js';
import { settleDisk } from './settle-disk.js';
import { timedRun } from './timed-run.js';
import { ALOS, ALOS_100MS, BOTH_GUARANTEES, BOTH_GUARANTEES_AND_ALOS_100MS, EOS, meanOf, repeated, runsInOrder, type Variant } from './variants.js';
import { EmbeddedLog, StreamsApp } from '../src/index.js';
import * as topologies from './topologies/stateless.js';
import { jsonSpreadWork, jsonWork, stringWork, type Work } from './topologies/stateless.js';

/**
 * Records per throughput run. At 1M the two-thread runs timed only ~0.7 s after the worker's cold
 * start (thread 0 works alone while it loads): at_least_once read 17% under the rate over 3M
 * records (3 interleaved pairs); one thread read ~5% under.
 */
const RECORDS = Number(process.env.BENCH_STREAMS_RECORDS ?? 3_000_000);
const PARTITIONS = 8;
const LATENCY_RATE = 100_000;
const LATENCY_SECONDS = 5;
/** Produced at the same rate before the measured seconds, not measured: V8 optimizes the hot code meanwhile. */
const LATENCY_WARMUP_SECONDS = 1;

/** The bench topologies' export names in topologies/stateless.ts. */
type TopologyName = 'stringTopology' | 'jsonTopology' | 'jsonSpreadTopology';

/** The topologies as a module: stream threads (worker threads) build them from it. */
const TOPOLOGY_MODULE = new URL('./topologies/stateless.ts', import.meta.url);

async function freshLog(root: string, name: string): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(path.join(root, name), { fsync: 'commit', maintenanceIntervalMs: 0 });
  await log.createTopic('in', { partitions: PARTITIONS });
  await log.createTopic('out', { partitions: PARTITIONS });
  return log;
}

/**
 * The same work in a plain loop over in-memory bytes: no log, no engine. What this machine's
 * core can do at best for the topology; the app's rate is compared with it in the same run.
 */
function plainLoop<V, V2>(work: Work<V, V2>, keys: Buffer[], values: Buffer[]): number {
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < RECORDS; i++) {
    const k = work.key.deserialize('in', keys[i % keys.length]!);
    const v = work.value.deserialize('in', values[i % values.length]!);
    if (!work.keep(k, v)) continue;
    bytes += work.key.serialize('out', k).length + work.out.serialize('out', work.map(k, v)).length;
  }
  if (bytes === 0) throw new Error('plain loop wrote nothing');
  return Math.round(RECORDS / ((performance.now() - started) / 1000));
}

const keyOf = (i: number) => Buffer.from(`key-${i % 100_000}`.padEnd(16, '.'));

async function fill(log: EmbeddedLog, value: (i: number) => Buffer): Promise<void> {
  for (let i = 0; i < RECORDS; i += 1000) {
    await log.produce(Array.from({ length: 1000 }, (_, j) => ({ topic: 'in', key: keyOf(i + j), value: value(i + j) })));
  }
}

/** 100-byte string values, or JSON events; `text` (random) pads the strings. */
function valueMaker(kind: 'string' | 'json', text: string): (i: number) => Buffer {
  if (kind === 'string') return (i) => Buffer.from(`${String(i).padStart(8, '0')}${text}`.slice(0, 100));
  return (i) => Buffer.from(JSON.stringify({ id: i, user: `user-${i % 5000}`, page: '/docs/getting-started', amount: (i % 1000) / 7 }));
}

/**
 * Records per second for the app to process every pre-produced record (timed as timedRun says),
 * on the log reopened after filling it (the filler's garbage and unwritten pages are not the
 * app's). Stream threads build the topology named `exportName` in each worker. Exported for
 * inFreshProcess: each timed run has a process of its own.
 */
export async function statelessThroughput(root: string, name: string, exportName: TopologyName, guarantee: 'at_least_once' | 'exactly_once', text: string, threads: number, commitIntervalMs: number | null = null): Promise<number> {
  const filled = await freshLog(root, name);
  await fill(filled, valueMaker(exportName === 'stringTopology' ? 'string' : 'json', text));
  await filled.close();
  settleDisk();
  const log = await EmbeddedLog.open(path.join(root, name), { fsync: 'commit', maintenanceIntervalMs: 0 });
  const config = { applicationId: name, log, processingGuarantee: guarantee, stateDir: path.join(root, `${name}-state`), numStreamThreads: threads, ...(commitIntervalMs !== null && { commitIntervalMs }) };
  const app = threads > 1 ? await StreamsApp.fromModule(TOPOLOGY_MODULE, config, exportName) : new StreamsApp(topologies[exportName](), config);
  const perSecond = await timedRun(app, RECORDS, threads, false);
  await app.close();
  await log.close();
  fs.rmSync(path.join(root, name), { recursive: true, force: true });
  return perSecond;
}

/** statelessThroughput in a new process; `commitIntervalMs` null keeps the guarantee's default. */
function throughput(root: string, name: string, exportName: TopologyName, guarantee: 'at_least_once' | 'exactly_once', text: string, threads = 1, commitIntervalMs: number | null = null): number {
  return inFreshProcess<number>(new URL(import.meta.url), 'statelessThroughput', [root, name, exportName, guarantee, text, threads, commitIntervalMs]);
}


/** End-to-end latency (produce → visible on the output topic) at a steady rate, at_least_once. */
async function latency(root: string): Promise<{ p50: number; p99: number; max: number; records: number }> {
  const log = await freshLog(root, 'latency');
  const app = new StreamsApp(topologies.stringTopology(), { applicationId: 'latency', log, processingGuarantee: 'at_least_once', pollIntervalMs: 1 });
  await app.start();
  const payload = crypto.randomBytes(50).toString('hex');
  const latencies: number[] = [];
  const positions = new Array<number>(PARTITIONS).fill(0);
  let producing = true;
  const start = Date.now();
  const measureFrom = start + LATENCY_WARMUP_SECONDS * 1000;
  const consumer = (async () => {
    while (producing || latencies.length < LATENCY_RATE * LATENCY_SECONDS * 0.99) {
      let got = 0;
      for (let p = 0; p < PARTITIONS; p++) {
        const records = await log.fetch({ topic: 'out', partition: p, offset: positions[p]!, maxRecords: 5_000, isolation: 'read_uncommitted' });
        const now = Date.now();
        for (const r of records) if (r.timestamp >= measureFrom) latencies.push(now - r.timestamp);
        got += records.length;
        if (records.length > 0) positions[p] = records[records.length - 1]!.offset + 1;
      }
      if (got === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  const perTick = LATENCY_RATE / 1000; // one batch per millisecond of schedule
  let sent = 0;
  while (sent < LATENCY_RATE * (LATENCY_WARMUP_SECONDS + LATENCY_SECONDS)) {
    const due = Math.floor(((Date.now() - start) * LATENCY_RATE) / 1000);
    if (due > sent) {
      const n = Math.min(due - sent, perTick * 10);
      const now = Date.now();
      await log.produce(Array.from({ length: n }, (_, j) => ({ topic: 'in', key: Buffer.from(`key-${(sent + j) % 10_000}`), value: Buffer.from(payload), timestamp: now })));
      sent += n;
    } else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  producing = false;
  await consumer;
  await app.close();
  await log.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]!, records: latencies.length };
}

export async function runStreamsBench(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-streams-'));
  try {
    const text = crypto.randomBytes(50).toString('hex');
    const stringValue = valueMaker('string', text);
    const jsonValue = valueMaker('json', text);
    // Each variant runs four times, in an order that is the same read forwards and backwards: the
    // machine's speed drifts, and this order cancels a steady drift out of the ratios. One thread
    // also runs at_least_once committing every 100 ms, as exactly_once does.
    const compared = (threads: number, order: Variant[]) => {
      const rates = order.map((v, i) => throughput(root, `string-${threads}t-${i}`, 'stringTopology', v.guarantee, text, threads, v.commitIntervalMs ?? null));
      return { inOrder: runsInOrder(order, rates), rateOf: (v: Variant) => meanOf(order, rates, v) };
    };
    const one = compared(1, repeated(BOTH_GUARANTEES_AND_ALOS_100MS, 2));
    const [alos, eos, alos100] = [one.rateOf(ALOS), one.rateOf(EOS), one.rateOf(ALOS_100MS)];
    const json = throughput(root, 'json-alos', 'jsonTopology', 'at_least_once', text);
    const jsonSpread = throughput(root, 'json-spread-alos', 'jsonSpreadTopology', 'at_least_once', text);
    const two = compared(2, repeated(BOTH_GUARANTEES, 2));
    const [alos2, eos2] = [two.rateOf(ALOS), two.rateOf(EOS)];
    const json2 = throughput(root, 'json-alos-2t', 'jsonTopology', 'at_least_once', text, 2);
    const sample = Array.from({ length: 10_000 }, (_, i) => i);
    const keys = sample.map(keyOf);
    const stringPlain = plainLoop(stringWork, keys, sample.map(stringValue));
    const jsonPlain = plainLoop(jsonWork, keys, sample.map(jsonValue));
    const jsonSpreadPlain = plainLoop(jsonSpreadWork, keys, sample.map(jsonValue));
    const lat = await latency(root);
    return {
      records: RECORDS,
      topology: 'filter → mapValues → to, 8 partitions',
      stringAtLeastOnceRecordsPerSec: alos,
      stringExactlyOnceRecordsPerSec: eos,
      stringRunsInOrder: one.inOrder,
      exactlyOnceVsAtLeastOnce: Math.round((eos / alos) * 100) / 100,
      stringAtLeastOnceCommitEvery100msRecordsPerSec: alos100,
      exactlyOnceVsAtLeastOnceBothCommittingEvery100ms: Math.round((eos / alos100) * 100) / 100,
      jsonAtLeastOnceRecordsPerSec: json,
      twoThreadsStringAtLeastOnceRecordsPerSec: alos2,
      twoThreadsStringExactlyOnceRecordsPerSec: eos2,
      twoThreadsStringRunsInOrder: two.inOrder,
      twoThreadsExactlyOnceVsAtLeastOnce: Math.round((eos2 / alos2) * 100) / 100,
      twoThreadsJsonAtLeastOnceRecordsPerSec: json2,
      twoThreadsVsOneStringAtLeastOnce: Math.round((alos2 / alos) * 100) / 100,
      twoThreadsVsOneJson: Math.round((json2 / json) * 100) / 100,
      stringPlainLoopRecordsPerSec: stringPlain,
      stringAppVsPlainLoop: Math.round((alos / stringPlain) * 100) / 100,
      jsonPlainLoopRecordsPerSec: jsonPlain,
      jsonAppVsPlainLoop: Math.round((json / jsonPlain) * 100) / 100,
      jsonSpreadMapperAtLeastOnceRecordsPerSec: jsonSpread,
      jsonSpreadMapperPlainLoopRecordsPerSec: jsonSpreadPlain,
      latencyRate: `${LATENCY_RATE} records/s for ${LATENCY_SECONDS} s after ${LATENCY_WARMUP_SECONDS} s of warm-up, at_least_once`,
      latencyP50Ms: lat.p50,
      latencyP99Ms: lat.p99,
      latencyMaxMs: lat.max,
      latencyRecords: lat.records,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
