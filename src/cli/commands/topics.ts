import type { PartitionedLog, TopicConfig } from '../../index.js';
import { noMorePositionals, parseCommand, positional, wholeNumber } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const TOPICS_USAGE = `topics                                  list topic names
topics create <topic> [--partitions N] [--cleanup-policy delete|compact] [--retention-ms N]
topics describe <topic>                 config, and start and end offset per partition
topics delete <topic>`;

/** Whether `topics <args>` may make a new EmbeddedLog folder (only create does). */
export const topicsCreates = (args: string[]) => args[0] === 'create';

/** kafka-topics: list, create, describe and delete topics. */
export async function topicsCommand(log: PartitionedLog, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    partitions: { type: 'string' },
    'cleanup-policy': { type: 'string' },
    'retention-ms': { type: 'string' },
  });
  const action = positionals[0] ?? 'list';
  if (!['list', 'create', 'describe', 'delete'].includes(action)) throw new CliUsageError(`unknown topics action "${action}" (list, create, describe, delete)`);
  if (action !== 'create' && (values.partitions ?? values['cleanup-policy'] ?? values['retention-ms']) !== undefined) {
    throw new CliUsageError(`topics ${action} takes no topic config options`);
  }
  if (action === 'list') {
    noMorePositionals(positionals, 1);
    for (const name of (await log.listTopics()).sort()) io.out(name);
    return;
  }
  const topic = positional(positionals, 1, 'topic name');
  noMorePositionals(positionals, 2);
  if (action === 'create') {
    const policy = values['cleanup-policy'];
    if (policy !== undefined && policy !== 'delete' && policy !== 'compact') throw new CliUsageError(`--cleanup-policy is delete or compact, got "${policy}"`);
    const config: TopicConfig = {
      partitions: wholeNumber('partitions', values.partitions, 1) ?? 1,
      ...(policy !== undefined && { cleanupPolicy: policy }),
      ...(values['retention-ms'] !== undefined && { retentionMs: wholeNumber('retention-ms', values['retention-ms'], 1)! }),
    };
    await log.createTopic(topic, config);
    io.out(`created ${topic} with ${config.partitions} partition${config.partitions === 1 ? '' : 's'}`);
  } else if (action === 'describe') {
    const d = await log.describeTopic(topic);
    const config = Object.entries(d.config).map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`${d.name}  ${config}`);
    for (const p of d.partitions) io.out(`  partition ${p.partition}  start ${p.startOffset}  end ${p.endOffset}`);
  } else {
    await log.deleteTopic(topic);
    io.out(`deleted ${topic}`);
  }
}
