import type { PartitionedLog, TopicPartitionOffset } from '../../index.js';
import { chosenPartitions } from '../chosen-partitions.js';
import { noMorePositionals, parseCommand, positional, wholeNumber } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const RESET_USAGE = `reset <group> --topic T (--to-earliest | --to-latest | --to-offset N) [--partition N] [--execute]
                                        moves the group's committed offsets; without --execute
                                        it only prints them. Offsets only: an app's changelog and
                                        repartition topics and state folder stay as they are`;

/** kafka-consumer-groups --reset-offsets: dry run unless --execute, and only for a group with no live members. */
export async function resetCommand(log: PartitionedLog, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    topic: { type: 'string' },
    partition: { type: 'string' },
    'to-earliest': { type: 'boolean' },
    'to-latest': { type: 'boolean' },
    'to-offset': { type: 'string' },
    execute: { type: 'boolean' },
  });
  const group = positional(positionals, 0, 'group id');
  noMorePositionals(positionals, 1);
  const topic = values.topic;
  if (topic === undefined) throw new CliUsageError('reset needs --topic');
  const toOffset = wholeNumber('to-offset', values['to-offset']);
  const targets = [values['to-earliest'] === true, values['to-latest'] === true, toOffset !== undefined].filter(Boolean).length;
  if (targets !== 1) throw new CliUsageError('give exactly one of --to-earliest, --to-latest, --to-offset N');
  const partition = wholeNumber('partition', values.partition);

  const members = (await log.describeGroup(group)).members.length;
  if (members > 0) throw new CliUsageError(`group "${group}" has ${members} live member${members === 1 ? '' : 's'}; stop them before moving its offsets`);
  const description = await log.describeTopic(topic);
  const partitions = chosenPartitions(description, partition);
  const current = new Map((await log.committedOffsets(group, topic)).map((o) => [o.partition, o.offset]));
  const offsets: TopicPartitionOffset[] = partitions.map((p) => {
    const offset = values['to-earliest'] === true ? p.startOffset : values['to-latest'] === true ? p.endOffset : toOffset!;
    if (offset < p.startOffset || offset > p.endOffset) throw new CliUsageError(`offset ${offset} is outside partition ${p.partition}'s ${p.startOffset}..${p.endOffset}`);
    return { topic, partition: p.partition, offset };
  });
  io.out(['topic', 'partition', 'committed', 'new'].join('\t'));
  for (const o of offsets) io.out([topic, o.partition, current.get(o.partition) ?? '-', o.offset].join('\t'));
  if (values.execute !== true) {
    io.err('dry run: nothing changed (add --execute to commit these offsets)');
    return;
  }
  await log.commitOffsets(group, offsets);
  io.err(`committed ${offsets.length} offset${offsets.length === 1 ? '' : 's'} for group ${group}`);
}
