import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '../..');

/** Runs an example as the README does (`npm run example:…` is `tsx examples/<file>`). */
async function example(file: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join('examples', file)], { cwd: root, timeout: 60_000 });
  return stdout;
}

describe('the stateful examples run from a fresh data folder and print the right results', () => {
  it('word count', async () => {
    const out = await example('word-count.ts');
    expect(out).toContain('"the" counted 2000 times, "fox" 1000 times');
  }, 60_000);

  it('page views per page per minute, suppressed until each window closes', async () => {
    const out = await example('page-views.ts');
    expect(out).toContain('24 final per-minute counts');
    expect(out).toMatch(/12:02 \/docs\s+60/);
  }, 60_000);

  it('user sessions', async () => {
    const out = await example('user-sessions.ts');
    expect(out).toContain('linus: 3 sessions (09:00–09:03: 4 clicks, 09:20–09:23: 4 clicks, 09:40–09:43: 4 clicks)');
  }, 60_000);
});
