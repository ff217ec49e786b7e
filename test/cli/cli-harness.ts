import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/run-cli.js';

/** What one CLI run printed and returned. */
export type CliRun = { code: number; out: string[]; err: string[] };

/** Runs a `tributary` command line in this process, with `stdin` as its input lines. */
export async function cli(argv: string[], stdin: string[] = [], interrupt?: Promise<void>): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    lines: async function* () {
      yield* stdin;
    },
    out: (line) => void out.push(line),
    err: (line) => void err.push(line),
    interrupted: interrupt ?? new Promise(() => {}),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
