import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cli-usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's parseArgs, strict, with its TypeErrors turned into CliUsageErrors. */
export function parseCommand<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}

/** A whole number >= `min` given to `--name`, or undefined when the option was not given. */
export function wholeNumber(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || text.trim() === '') throw new CliUsageError(`--${name} takes a whole number >= ${min}, got "${text}"`);
  return n;
}

/** The positional argument at `index`, named `what` in the error when it is missing. */
export function positional(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new CliUsageError(`missing ${what}`);
  return value;
}

/** Refuses positionals beyond the `expected` ones (a typo'd option value often lands there). */
export function noMorePositionals(positionals: string[], expected: number): void {
  if (positionals.length > expected) throw new CliUsageError(`unexpected argument "${positionals[expected]}"`);
}
