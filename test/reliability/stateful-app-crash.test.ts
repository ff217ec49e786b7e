import { describe, expect, it } from 'vitest';
import { crashUntilDone, INPUT_TIME_BASE } from '../helpers/app-crash-harness.js';

// Kills come 20–250 ms after each start: the app gets through the input in more than 10 of them.
const plan = { inputs: 200_000, maxKills: 40, minDelayMs: 20, maxDelayMs: 250 };

/** What an uninterrupted run computes: per key n % 97 the count and sum, per key and second the count. */
function reference(inputs: number) {
  const totals = new Map<string, { count: number; sum: number }>();
  const windows = new Map<string, number>();
  for (let n = 0; n < inputs; n++) {
    const key = `key-${n % 97}`;
    const t = totals.get(key) ?? { count: 0, sum: 0 };
    totals.set(key, { count: t.count + 1, sum: t.sum + n });
    const w = `${key}@${Math.floor(n / 1000) * 1000}`;
    windows.set(w, (windows.get(w) ?? 0) + 1);
  }
  return { totals, windows };
}

describe('stateful StreamsApp on EmbeddedLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: final state equals the reference and no key ever counts a record twice', async () => {
    const { records, runs, restoredPerRun } = await crashUntilDone('exactly_once', { kind: 'embedded' }, plan, 'stateful');
    expect(runs).toBeGreaterThanOrEqual(10);
    console.log(`stateful exactly_once crash test: ${runs} runs, changelog records restored per start: ${restoredPerRun.join(' ')}`);
    // With 97 keys changing at every commit, the stores hold committed writes back from LevelDB
    // (write-behind), so a start after a kill has changelog records to replay: the state below is
    // right only because that replay is.
    expect(restoredPerRun.slice(1).some((n) => n > 0)).toBe(true);
    const expected = reference(plan.inputs);
    // Per key, committed outputs are the running aggregate: counts only grow, and end at the reference.
    const last = new Map<string, { count: number; sum: number }>();
    for (const r of await records('out')) {
      const key = r.key!.toString();
      const value = JSON.parse(r.value!.toString()) as { count: number; sum: number };
      const previous = last.get(key);
      if (previous !== undefined) expect(value.count).toBeGreaterThan(previous.count);
      last.set(key, value);
    }
    expect(Object.fromEntries(last)).toEqual(Object.fromEntries(expected.totals));
    const windowed = new Map<string, number>();
    for (const r of await records('out-windowed')) {
      const key = r.key!;
      const inner = key.subarray(0, key.length - 16).toString();
      windowed.set(`${inner}@${Number(key.readBigInt64BE(key.length - 16)) - INPUT_TIME_BASE}`, Number(r.value!.readBigInt64BE(0)));
    }
    expect(Object.fromEntries(windowed)).toEqual(Object.fromEntries(expected.windows));
  }, 300_000);
});
