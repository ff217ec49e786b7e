// Example helper: waits until an app has committed past every input and internal-topic record.
import type { PartitionedLog, StreamsApp, Topology } from '../src/index.js';

export async function untilCaughtUp(log: PartitionedLog, app: StreamsApp, applicationId: string, topology: Topology, inputs: string[]): Promise<void> {
  const topics = [...inputs, ...[...topology.internalTopics.keys()].map((t) => `${applicationId}-${t}`)];
  // Quiet twice in a row: on Kafka, committed offsets can show up just before the transaction
  // markers that make the records they cover readable.
  for (let quiet = 0; quiet < 2; ) {
    if (app.state === 'ERROR') throw app.error;
    quiet = (await behind(log, applicationId, topics)) ? 0 : quiet + 1;
    await new Promise((resolve) => setTimeout(resolve, quiet > 0 ? 300 : 20));
  }
}

/** Whether some record past the group's committed offset can still be read. (Lag alone is not it on
 * Kafka: a transaction's commit marker takes an offset that is never consumed.) */
async function behind(log: PartitionedLog, groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    for (const lag of await log.groupLag(groupId, topic)) {
      if (lag.lag === 0) continue;
      if (lag.committedOffset === null) return true;
      if ((await log.fetch({ topic, partition: lag.partition, offset: lag.committedOffset, maxRecords: 1, isolation: 'read_committed' })).length > 0) return true;
    }
  }
  return false;
}
