import { describe, expect, it } from 'vitest';
import { example, EXAMPLE_LOGS } from './run-example.js';

describe.each(EXAMPLE_LOGS)('the stateful examples on %s print the right results', (on) => {
  it('word count', async () => {
    const out = await example('word-count.ts', on);
    expect(out).toContain('"the" counted 2000 times, "fox" 1000 times');
  }, 120_000);

  it('page views per page per minute, suppressed until each window closes', async () => {
    const out = await example('page-views.ts', on);
    expect(out).toContain('24 final per-minute counts');
    expect(out).toMatch(/12:02 \/docs\s+60/);
  }, 120_000);

  it('user sessions', async () => {
    const out = await example('user-sessions.ts', on);
    expect(out).toContain('linus: 3 sessions (09:00–09:03: 4 clicks, 09:20–09:23: 4 clicks, 09:40–09:43: 4 clicks)');
  }, 120_000);
});
