import { describe, expect, it } from 'vitest';
import { countOutputs, crashUntilDone } from '../helpers/app-crash-harness.js';

const plan = { inputs: 100_000, maxKills: 40, minDelayMs: 5, maxDelayMs: 120 };

describe('StreamsApp on EmbeddedLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: every input appears exactly once in the read_committed output', async () => {
    const { values, runs } = await crashUntilDone('exactly_once', { kind: 'embedded' }, plan);
    expect(runs).toBeGreaterThanOrEqual(5);
    const counts = countOutputs(values);
    expect(counts.size).toBe(plan.inputs);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (let i = 0; i < plan.inputs; i += 997) expect(counts.get(`out-${i}`)).toBe(1);
  }, 240_000);

  it('at_least_once: no input is lost (duplicates are allowed)', async () => {
    const { values, runs } = await crashUntilDone('at_least_once', { kind: 'embedded' }, plan);
    expect(runs).toBeGreaterThanOrEqual(5);
    const counts = countOutputs(values);
    for (let i = 0; i < plan.inputs; i++) expect(counts.has(`out-${i}`)).toBe(true);
  }, 240_000);
});
