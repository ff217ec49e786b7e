// Example helper: waits until an app has committed past every input and internal-topic record.
import type { PartitionedLog, StreamsApp, Topology } from '../src/index.js';

export async function untilCaughtUp(log: PartitionedLog, app: StreamsApp, applicationId: string, topology: Topology, inputs: string[]): Promise<void> {
  const topics = [...inputs, ...[...topology.internalTopics.keys()].map((t) => `${applicationId}-${t}`)];
  for (;;) {
    if (app.state === 'ERROR') throw app.error;
    let lag = 0;
    for (const topic of topics) for (const p of await log.groupLag(applicationId, topic)) lag += p.lag;
    if (lag === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
