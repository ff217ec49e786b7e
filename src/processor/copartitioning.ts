import type { Topology } from './topology.js';
import { TopologyError } from './topology-error.js';

/**
 * Checks that the inputs of each join (a co-partition group) have one partition count: records
 * with equal keys must meet in the same task. Topics whose count `partitionsOf` does not know
 * are skipped; a mismatch throws a TopologyError naming both topics.
 */
export function checkCopartitioning(topology: Topology, partitionsOf: (topic: string) => number | undefined): void {
  for (const group of topology.copartitionGroups()) {
    let first: { topic: string; partitions: number } | undefined;
    for (const topic of group) {
      const partitions = partitionsOf(topic);
      if (partitions === undefined) continue;
      if (first === undefined) first = { topic, partitions };
      else if (first.partitions !== partitions) {
        throw new TopologyError(
          `Join inputs are not co-partitioned: topic "${first.topic}" has ${first.partitions} partitions and topic "${topic}" has ${partitions}. ` +
            `Give them the same partition count, or repartition one side first (stream.repartition({ partitions: ${first.partitions} }))`,
        );
      }
    }
  }
}

/** The partition count an internal topic of a co-partition group must take: that of its known partners. */
export function copartitionedCount(topology: Topology, topic: string, partitionsOf: (topic: string) => number | undefined): number | undefined {
  let count: number | undefined;
  for (const group of topology.copartitionGroups()) {
    if (!group.includes(topic)) continue;
    for (const other of group) {
      const n = other === topic ? undefined : partitionsOf(other);
      if (n !== undefined) count = Math.max(count ?? 0, n);
    }
  }
  return count;
}
