import type { PartitionedLog } from '../../index.js';
import { noMorePositionals, parseCommand, positional } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';

export const GROUPS_USAGE = `groups <group> [--topic T]              members, and per partition the committed offset,
                                        end offset and lag (of every topic the group
                                        committed on, or of T); a Streams app's group is its
                                        applicationId`;

/** kafka-consumer-groups --describe: a group's members and its lag per partition. */
export async function groupsCommand(log: PartitionedLog, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, { topic: { type: 'string' } });
  const group = positional(positionals, 0, 'group id');
  noMorePositionals(positionals, 1);
  const description = await log.describeGroup(group);
  io.out(`group ${group}  generation ${description.generation}  ${description.members.length} member${description.members.length === 1 ? '' : 's'}`);
  for (const m of description.members) io.out(`  member ${m.memberId}: ${m.assignment.map((a) => `${a.topic}-${a.partition}`).join(' ') || '(nothing assigned)'}`);
  const topics = values.topic !== undefined ? [values.topic] : await committedTopics(log, group);
  if (topics.length === 0) {
    io.out('no committed offsets');
    return;
  }
  io.out(['topic', 'partition', 'committed', 'end', 'lag'].join('\t'));
  for (const topic of topics) {
    for (const l of await log.groupLag(group, topic)) io.out([topic, l.partition, l.committedOffset ?? '-', l.endOffset, l.lag].join('\t'));
  }
}

/** Topics the group has committed offsets on (the log contract has no list of them, so every topic is asked). */
async function committedTopics(log: PartitionedLog, group: string): Promise<string[]> {
  const topics: string[] = [];
  for (const topic of (await log.listTopics()).sort()) if ((await log.committedOffsets(group, topic)).length > 0) topics.push(topic);
  return topics;
}
