import { describe, expect, it } from 'vitest';
import { crashUntilDone, joinResultsDiffer } from '../helpers/app-crash-harness.js';

const plan = { inputs: 100_000, maxKills: 30, minDelayMs: 20, maxDelayMs: 400 };

describe('join topology on EmbeddedLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: every stream-table and stream-stream join result exactly once', async () => {
    const { values, runs, records } = await crashUntilDone('exactly_once', { kind: 'embedded' }, plan, 'join');
    expect(runs).toBeGreaterThanOrEqual(10);
    console.log(`join exactly_once crash test: ${runs} runs`);
    expect(await joinResultsDiffer(values, records, plan.inputs)).toBeUndefined();
  }, 300_000);
});
