import { TributaryError, type PartitionedLog } from '../index.js';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { CONSUME_USAGE, consumeCommand } from './commands/consume.js';
import { DUMP_USAGE, dumpCommand } from './commands/dump.js';
import { GROUPS_USAGE, groupsCommand } from './commands/groups.js';
import { PRODUCE_USAGE, produceCommand } from './commands/produce.js';
import { RESET_USAGE, resetCommand } from './commands/reset.js';
import { TOPICS_USAGE, topicsCommand, topicsCreates } from './commands/topics.js';
import { TOPOLOGY_USAGE, topologyCommand } from './commands/topology.js';
import { openLog, type LogLocation } from './open-log.js';

export const USAGE = `usage: tributary <command> (--data <folder> | --bootstrap <host:port,...>) [options]

The log: --data names an EmbeddedLog folder (not one a running app has open: it is locked),
--bootstrap a Kafka cluster.

${[TOPICS_USAGE, PRODUCE_USAGE, CONSUME_USAGE, GROUPS_USAGE, RESET_USAGE, DUMP_USAGE, TOPOLOGY_USAGE].join('\n')}`;

type LogCommand = (log: PartitionedLog, args: string[], io: CliIo) => Promise<void>;

const LOG_COMMANDS: Record<string, LogCommand> = {
  topics: topicsCommand,
  produce: produceCommand,
  consume: consumeCommand,
  groups: groupsCommand,
  reset: resetCommand,
};

/** Takes `--data`/`--bootstrap` (with a space or `=`) out of the arguments, wherever they stand. */
function takeLocation(argv: string[]): { location: LogLocation; rest: string[] } {
  const location: LogLocation = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--data') ? 'data' : arg.startsWith('--bootstrap') ? 'bootstrap' : undefined;
    if (name === undefined || (arg !== `--${name}` && !arg.startsWith(`--${name}=`))) {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    if (value === undefined || value === '') throw new CliUsageError(`--${name} needs a value`);
    if (location[name] !== undefined) throw new CliUsageError(`--${name} given twice`);
    location[name] = value;
  }
  return { location, rest };
}

/**
 * Runs one `tributary` command line and returns its exit code: 0 done, 1 the log or the module
 * failed (the error's message and code go to `io.err`), 2 the command line was wrong.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let log: PartitionedLog | undefined;
  try {
    const { location, rest } = takeLocation(argv);
    const [command, ...args] = rest;
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      (command === undefined ? io.err : io.out)(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'topology') {
      await topologyCommand(args, io);
      return 0;
    }
    if (command === 'dump') {
      dumpCommand(location.data, args, io);
      return 0;
    }
    const run = LOG_COMMANDS[command];
    if (run === undefined) throw new CliUsageError(`unknown command "${command}"`);
    log = await openLog(location, io, command === 'topics' && topicsCreates(args));
    await run(log, args, io);
    return 0;
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(`tributary: ${e.message}`);
      io.err('run "tributary help" for the commands');
      return 2;
    }
    io.err(e instanceof TributaryError ? `tributary: ${e.message} (${e.code})` : `tributary: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    await log?.close();
  }
}
