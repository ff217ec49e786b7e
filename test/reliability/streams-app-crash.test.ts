import { spawn } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/index.js';
import { readAll } from '../helpers/read-all.js';
import { tempDir } from '../helpers/temp-dir.js';

const INPUTS = 100_000;
const MAX_RUNS = 40;

/** Starts the app child; kills it `delayMs` after it is ready unless it finishes first. Returns whether it finished. */
async function runOnce(dir: string, guarantee: string, delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'crash-app.ts'), dir, guarantee], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready')) onReady();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([ready, exited]);
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const code = await exited;
  clearTimeout(timer);
  return code === 0 && output.includes('done');
}

async function crashUntilDone(guarantee: 'at_least_once' | 'exactly_once'): Promise<{ values: string[]; runs: number }> {
  const dir = tempDir(`tributary-app-crash-${guarantee}-`);
  const setup = await EmbeddedLog.open(dir, { maintenanceIntervalMs: 0 });
  await setup.createTopic('in', { partitions: 4 });
  await setup.createTopic('out', { partitions: 4 });
  for (let i = 0; i < INPUTS; i += 1000) {
    await setup.produce(Array.from({ length: 1000 }, (_, j) => ({ topic: 'in', key: Buffer.from(`k${i + j}`), value: Buffer.from(String(i + j)) })));
  }
  await setup.close();
  const delays = fc.sample(fc.integer({ min: 5, max: 120 }), { numRuns: MAX_RUNS, seed: guarantee.length });
  let runs = 0;
  let done = false;
  while (!done && runs < MAX_RUNS) done = await runOnce(dir, guarantee, delays[runs++]!);
  if (!done) done = await runOnce(dir, guarantee, 600_000);
  expect(done).toBe(true);
  const log = await EmbeddedLog.open(dir, { maintenanceIntervalMs: 0 });
  const values = (await Promise.all([0, 1, 2, 3].map((p) => readAll(log, 'out', p)))).flat().map((r) => r.value!.toString());
  await log.close();
  return { values, runs };
}

describe('StreamsApp killed with SIGKILL and restarted until done', () => {
  it('exactly_once: every input appears exactly once in the read_committed output', async () => {
    const { values, runs } = await crashUntilDone('exactly_once');
    console.log(`exactly_once: finished after ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(5);
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect(counts.size).toBe(INPUTS);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (let i = 0; i < INPUTS; i += 997) expect(counts.get(`out-${i}`)).toBe(1);
  }, 240_000);

  it('at_least_once: no input is lost (duplicates are allowed)', async () => {
    const { values, runs } = await crashUntilDone('at_least_once');
    console.log(`at_least_once: finished after ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(5);
    const distinct = new Set(values);
    expect(distinct.size).toBe(INPUTS);
    for (let i = 0; i < INPUTS; i++) expect(distinct.has(`out-${i}`)).toBe(true);
  }, 240_000);
});
