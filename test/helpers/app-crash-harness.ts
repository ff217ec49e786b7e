import { spawn } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { EmbeddedLog, KafkaLog, type LogRecord, type PartitionedLog } from '../../src/index.js';
import { readAll } from './read-all.js';
import { tempDir } from './temp-dir.js';

export type CrashBackend = { kind: 'embedded' } | { kind: 'kafka'; bootstrap: string; prefix: string };

/**
 * Input n has event time INPUT_TIME_BASE + n: recent (Kafka's time retention would delete
 * records stamped in 1970) and whole-day aligned, so 1-second windows start at base + k·1000.
 */
export const INPUT_TIME_BASE = Math.floor(Date.now() / 86_400_000) * 86_400_000;

export type CrashPlan = { inputs: number; maxKills: number; minDelayMs: number; maxDelayMs: number };
/** 'stateless': in → selectKey → repartition → mapValues → out. 'stateful': aggregations. 'join': joins (see crash-app.ts). */
export type CrashMode = 'stateless' | 'stateful' | 'join';

/** Rows of the join mode's table topic `in-table`: key-j → v<j>, stamped before every input. */
export const JOIN_TABLE_KEYS = 97;

const crashApp = path.join(import.meta.dirname, '../reliability/crash-app.ts');

/**
 * A running crash-app child: resolves `ready` once started; `finished` says whether it printed
 * "done" and exited 0; `restored()` is how many changelog records its start restored (-1: it did not start).
 */
export function startApp(dir: string, guarantee: string, backend: CrashBackend, mode: CrashMode) {
  const args = [crashApp, dir, guarantee, ...(backend.kind === 'kafka' ? [`kafka|${backend.bootstrap}|${backend.prefix}`] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CRASH_MODE: mode } });
  let output = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready')) onReady();
  });
  const finished = new Promise<boolean>((resolve) => child.once('exit', (code) => resolve(code === 0 && output.includes('done'))));
  const restored = () => Number(/ready restored=(\d+)/.exec(output)?.[1] ?? -1);
  return { child, ready: Promise.race([ready, finished.then(() => undefined)]), finished, restored };
}

/** Starts the app child; kills it `delayMs` after it is ready unless it finishes first. Returns whether it finished, and what its start restored. */
async function runOnce(dir: string, guarantee: string, backend: CrashBackend, delayMs: number, mode: CrashMode): Promise<{ done: boolean; restored: number }> {
  const app = startApp(dir, guarantee, backend, mode);
  await app.ready;
  const timer = setTimeout(() => app.child.kill('SIGKILL'), delayMs);
  const done = await app.finished;
  clearTimeout(timer);
  return { done, restored: app.restored() };
}

async function openLog(dir: string, backend: CrashBackend): Promise<PartitionedLog> {
  return backend.kind === 'kafka' ? new KafkaLog({ brokers: backend.bootstrap.split(',') }) : EmbeddedLog.open(dir, { maintenanceIntervalMs: 0 });
}

export async function setUp(dir: string, backend: CrashBackend, inputs: number): Promise<(name: string) => string> {
  const topic = (name: string) => (backend.kind === 'kafka' ? `${backend.prefix}-${name}` : name);
  const setup = await openLog(dir, backend);
  await setup.createTopic(topic('in'), { partitions: 4 });
  await setup.createTopic(topic('out'), { partitions: 4 });
  await setup.createTopic(topic('out-windowed'), { partitions: 4 });
  await setup.createTopic(topic('out-joined'), { partitions: 4 });
  await setup.createTopic(topic('in-table'), { partitions: 4 });
  await setup.createTopic(topic('lines'), { partitions: 4 });
  await setup.createTopic(topic('out-fk'), { partitions: 4 });
  await setup.produce(Array.from({ length: JOIN_TABLE_KEYS }, (_, j) => ({ topic: topic('in-table'), key: Buffer.from(`key-${j}`), value: Buffer.from(`v${j}`), timestamp: INPUT_TIME_BASE - 1_000 })));
  for (let i = 0; i < inputs; i += 1000) {
    const n = Math.min(1000, inputs - i);
    await setup.produce(Array.from({ length: n }, (_, j) => ({ topic: topic('in'), key: Buffer.from(`k${i + j}`), value: Buffer.from(String(i + j)), timestamp: INPUT_TIME_BASE + i + j })));
  }
  await setup.close();
  return topic;
}

/** The committed records of an output topic, partition by partition (each in offset order). */
export async function outputRecords(dir: string, backend: CrashBackend, name: string): Promise<LogRecord[]> {
  const log = await openLog(dir, backend);
  const records = (await Promise.all([0, 1, 2, 3].map((p) => readAll(log, name, p)))).flat();
  await log.close();
  return records;
}

/**
 * Produces `plan.inputs` numbered records to `in` (4 partitions), then runs the crash-app child,
 * SIGKILLing it at random moments up to `plan.maxKills` times, then lets it finish. Returns the
 * values of `out`, read_committed, and how many runs it took.
 */
export async function crashUntilDone(
  guarantee: 'at_least_once' | 'exactly_once',
  backend: CrashBackend,
  plan: CrashPlan,
  mode: CrashMode = 'stateless',
): Promise<{ values: string[]; runs: number; records: (name: string) => Promise<LogRecord[]>; restoredPerRun: number[] }> {
  const dir = tempDir(`tributary-app-crash-${guarantee}-`);
  const topic = await setUp(dir, backend, plan.inputs);
  const delays = fc.sample(fc.integer({ min: plan.minDelayMs, max: plan.maxDelayMs }), { numRuns: plan.maxKills, seed: guarantee.length });
  const restoredPerRun: number[] = [];
  let runs = 0;
  let done = false;
  const run = async (delayMs: number) => {
    const result = await runOnce(dir, guarantee, backend, delayMs, mode);
    restoredPerRun.push(result.restored);
    return result.done;
  };
  while (!done && runs < plan.maxKills) done = await run(delays[runs++]!);
  if (!done) done = await run(600_000);
  if (!done) throw new Error('the app did not finish on its final, uninterrupted run');
  const records = (name: string) => outputRecords(dir, backend, topic(name));
  return { values: (await records('out')).map((r) => r.value!.toString()), runs, records, restoredPerRun };
}

/** Each of 0..inputs-1 as `out-<n>`: how many times it appears. */
export function countOutputs(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * The join mode's outputs, from a run that finished: `out` holds each input joined with its table
 * row exactly once, `out-joined` each pair (2m, 2m+1) exactly once, and `out-fk` ends with each
 * line's final value joined with its foreign row. Returns a description of the first difference,
 * or undefined.
 */
export async function joinResultsDiffer(values: string[], records: (name: string) => Promise<LogRecord[]>, inputs: number): Promise<string | undefined> {
  const tableJoined = countOutputs(values);
  if (tableJoined.size !== inputs) return `out has ${tableJoined.size} distinct results, expected ${inputs}`;
  for (let n = 0; n < inputs; n++) {
    const times = tableJoined.get(`${n}:v${n % JOIN_TABLE_KEYS}`);
    if (times !== 1) return `input ${n} joined with its table row ${times ?? 0} times`;
  }
  const pairs = countOutputs((await records('out-joined')).map((r) => r.value!.toString()));
  if (pairs.size !== inputs / 2) return `out-joined has ${pairs.size} distinct pairs, expected ${inputs / 2}`;
  for (let m = 0; m < inputs / 2; m++) {
    const times = pairs.get(`${2 * m}+${2 * m + 1}`);
    if (times !== 1) return `pair ${m} joined ${times ?? 0} times`;
  }
  // The foreign-key join's last result per line is the line's last value joined with its row.
  const last = async (name: string) => new Map((await records(name)).map((r) => [r.key!.toString(), r.value?.toString()]));
  const lines = await last('lines');
  const joined = await last('out-fk');
  if (lines.size !== Math.min(inputs, 1000)) return `lines has ${lines.size} keys`;
  for (const [line, n] of lines) {
    const expected = `${n}:v${Number(n) % JOIN_TABLE_KEYS}`;
    if (joined.get(line) !== expected) return `out-fk has ${String(joined.get(line))} for ${line}, expected ${expected}`;
  }
  return undefined;
}
