// The child side of inFreshProcess: node --import tsx fresh-process-child.ts <module> <export> <args JSON>.
// Prints the result as JSON on the last line of stdout.
import { pathToFileURL } from 'node:url';

const [modulePath, exportName, args] = process.argv.slice(2) as [string, string, string];
const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, (...a: unknown[]) => unknown>;
const run = mod[exportName];
if (typeof run !== 'function') throw new Error(`${modulePath} exports no function ${exportName}`);
const result = await run(...(JSON.parse(args) as unknown[]));
process.stdout.write(`\n${JSON.stringify(result)}\n`);
