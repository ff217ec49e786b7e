import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fresh-process-child.ts', import.meta.url));

/**
 * Calls `exportName` of `module` with `args` (JSON) in a new Node process and returns what it
 * resolves to. Timed runs go there, one process each, as an app runs in production: in one
 * long-lived process the runs after the first were 18–34% slower on the same work (the main
 * thread used more CPU; V8's state left by the earlier apps, not a leak: the heap after each run
 * was the same), so a comparison favoured whichever variant ran first.
 */
export function inFreshProcess<T>(module: URL, exportName: string, args: unknown[]): T {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, fileURLToPath(module), exportName, JSON.stringify(args)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last = out.trimEnd().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
