import { describe, expect, it } from 'vitest';
import { countOutputs, crashUntilDone, JOIN_TABLE_KEYS } from '../helpers/app-crash-harness.js';

const plan = { inputs: 100_000, maxKills: 30, minDelayMs: 20, maxDelayMs: 400 };

describe('join topology on EmbeddedLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: every stream-table and stream-stream join result exactly once', async () => {
    const { values, runs, records } = await crashUntilDone('exactly_once', { kind: 'embedded' }, plan, 'join');
    expect(runs).toBeGreaterThanOrEqual(10);
    console.log(`join exactly_once crash test: ${runs} runs`);
    const tableJoined = countOutputs(values);
    expect(tableJoined.size).toBe(plan.inputs);
    for (let n = 0; n < plan.inputs; n++) expect(tableJoined.get(`${n}:v${n % JOIN_TABLE_KEYS}`), `input ${n}`).toBe(1);
    const pairs = countOutputs((await records('out-joined')).map((r) => r.value!.toString()));
    expect(pairs.size).toBe(plan.inputs / 2);
    for (let m = 0; m < plan.inputs / 2; m++) expect(pairs.get(`${2 * m}+${2 * m + 1}`), `pair ${m}`).toBe(1);
  }, 300_000);
});
