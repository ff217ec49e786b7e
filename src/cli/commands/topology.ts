import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { noMorePositionals, parseCommand, positional } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const TOPOLOGY_USAGE = `topology <module> [--export NAME] [--mermaid]
                                        describes the topology a module's export builds (the
                                        module StreamsApp.fromModule takes; default export
                                        unless --export), as text or a Mermaid flowchart`;

type Describable = { describe(): string; describeMermaid(): string };

/** Prints a topology module's description; needs no log. */
export async function topologyCommand(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, { export: { type: 'string' }, mermaid: { type: 'boolean' } });
  const file = positional(positionals, 0, 'topology module');
  noMorePositionals(positionals, 1);
  const name = values.export ?? 'default';
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  const build = module[name];
  if (typeof build !== 'function') throw new CliUsageError(`"${file}" has no export "${name}" that builds a topology (found: ${Object.keys(module).join(', ') || 'none'})`);
  const topology = (await build()) as Partial<Describable> | null;
  if (typeof topology?.describe !== 'function' || typeof topology.describeMermaid !== 'function') {
    throw new CliUsageError(`export "${name}" of "${file}" did not return a Topology (build it with builder.build())`);
  }
  io.out(values.mermaid === true ? topology.describeMermaid() : topology.describe());
}
