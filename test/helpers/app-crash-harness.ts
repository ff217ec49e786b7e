import { spawn } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { EmbeddedLog, KafkaLog, type PartitionedLog } from '../../src/index.js';
import { readAll } from './read-all.js';
import { tempDir } from './temp-dir.js';

export type CrashBackend = { kind: 'embedded' } | { kind: 'kafka'; bootstrap: string; prefix: string };

export type CrashPlan = { inputs: number; maxKills: number; minDelayMs: number; maxDelayMs: number };

const crashApp = path.join(import.meta.dirname, '../reliability/crash-app.ts');

/** A running crash-app child: resolves `ready` once started; `finished` says whether it printed "done" and exited 0. */
function startApp(dir: string, guarantee: string, backend: CrashBackend) {
  const args = [crashApp, dir, guarantee, ...(backend.kind === 'kafka' ? [`kafka|${backend.bootstrap}|${backend.prefix}`] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready')) onReady();
  });
  const finished = new Promise<boolean>((resolve) => child.once('exit', (code) => resolve(code === 0 && output.includes('done'))));
  return { child, ready: Promise.race([ready, finished.then(() => undefined)]), finished };
}

/** Starts the app child; kills it `delayMs` after it is ready unless it finishes first. Returns whether it finished. */
async function runOnce(dir: string, guarantee: string, backend: CrashBackend, delayMs: number): Promise<boolean> {
  const app = startApp(dir, guarantee, backend);
  await app.ready;
  const timer = setTimeout(() => app.child.kill('SIGKILL'), delayMs);
  const done = await app.finished;
  clearTimeout(timer);
  return done;
}

async function openLog(dir: string, backend: CrashBackend): Promise<PartitionedLog> {
  return backend.kind === 'kafka' ? new KafkaLog({ brokers: backend.bootstrap.split(',') }) : EmbeddedLog.open(dir, { maintenanceIntervalMs: 0 });
}

async function setUp(dir: string, backend: CrashBackend, inputs: number): Promise<(name: string) => string> {
  const topic = (name: string) => (backend.kind === 'kafka' ? `${backend.prefix}-${name}` : name);
  const setup = await openLog(dir, backend);
  await setup.createTopic(topic('in'), { partitions: 4 });
  await setup.createTopic(topic('out'), { partitions: 4 });
  for (let i = 0; i < inputs; i += 1000) {
    const n = Math.min(1000, inputs - i);
    await setup.produce(Array.from({ length: n }, (_, j) => ({ topic: topic('in'), key: Buffer.from(`k${i + j}`), value: Buffer.from(String(i + j)) })));
  }
  await setup.close();
  return topic;
}

async function outputValues(dir: string, backend: CrashBackend, topic: (name: string) => string): Promise<string[]> {
  const log = await openLog(dir, backend);
  const values = (await Promise.all([0, 1, 2, 3].map((p) => readAll(log, topic('out'), p)))).flat().map((r) => r.value!.toString());
  await log.close();
  return values;
}

/**
 * Produces `plan.inputs` numbered records to `in` (4 partitions), then runs the crash-app child,
 * SIGKILLing it at random moments up to `plan.maxKills` times, then lets it finish. Returns the
 * values of `out`, read_committed, and how many runs it took.
 */
export async function crashUntilDone(guarantee: 'at_least_once' | 'exactly_once', backend: CrashBackend, plan: CrashPlan): Promise<{ values: string[]; runs: number }> {
  const dir = tempDir(`tributary-app-crash-${guarantee}-`);
  const topic = await setUp(dir, backend, plan.inputs);
  const delays = fc.sample(fc.integer({ min: plan.minDelayMs, max: plan.maxDelayMs }), { numRuns: plan.maxKills, seed: guarantee.length });
  let runs = 0;
  let done = false;
  while (!done && runs < plan.maxKills) done = await runOnce(dir, guarantee, backend, delays[runs++]!);
  if (!done) done = await runOnce(dir, guarantee, backend, 600_000);
  if (!done) throw new Error('the app did not finish on its final, uninterrupted run');
  return { values: await outputValues(dir, backend, topic), runs };
}

/** Each of 0..inputs-1 as `out-<n>`: how many times it appears. */
export function countOutputs(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
