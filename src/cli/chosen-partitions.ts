import type { TopicDescription } from '../index.js';
import { CliUsageError } from './cli-usage-error.js';

/** The partitions a `--partition` option picks from a topic: that one, or every one when not given. */
export function chosenPartitions(description: TopicDescription, partition: number | undefined): TopicDescription['partitions'] {
  if (partition === undefined) return description.partitions;
  const chosen = description.partitions.filter((p) => p.partition === partition);
  if (chosen.length === 0) throw new CliUsageError(`topic "${description.name}" has no partition ${partition} (it has ${description.partitions.length})`);
  return chosen;
}
