import { EmbeddedLog, KafkaLog, StreamsApp, type LogRecord, type PartitionedLog, type StreamsConfig, type Topology } from '../../src/index.js';
import { readAll } from './read-all.js';
import { tempDir } from './temp-dir.js';


/** Polls `condition` until it holds (no fixed sleeps: it waits for a state, not for time). */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * True once the group has committed past every record a read_committed reader can see on the
 * input topics. (Lag alone does not say it on Kafka: a transaction's commit marker takes an
 * offset that is never consumed.)
 */
export async function caughtUp(log: PartitionedLog, groupId: string, topics: string[]): Promise<boolean> {
  if (!(await caughtUpOnce(log, groupId, topics))) return false;
  if (!(log instanceof KafkaLog)) return true;
  // On Kafka a transaction's offsets can be visible before the markers that make its records
  // readable: a repartition topic then looks consumed while its records are about to appear.
  // Ask again once the markers have had time to land.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return caughtUpOnce(log, groupId, topics);
}

async function caughtUpOnce(log: PartitionedLog, groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    for (const lag of await log.groupLag(groupId, topic)) {
      if (lag.endOffset === 0) continue;
      if (lag.committedOffset === null) return false;
      if (lag.committedOffset < lag.endOffset && (await log.fetch({ topic, partition: lag.partition, offset: lag.committedOffset, maxRecords: 1 })).length > 0) return false;
    }
  }
  return true;
}

export type AppRun = { outputs: Map<string, LogRecord[]>; app: StreamsApp; log: PartitionedLog };
type Input = { topic: string; key: Buffer | null; value: Buffer | null; timestamp?: number; partition?: number };

/**
 * Runs a topology as a StreamsApp on a log: creates the topics, produces the inputs (bytes
 * already serialized), runs until every input is committed, closes, and returns what each of the
 * given topics (and the app's internal ones) holds, read_committed.
 */
export async function runOnLog(log: PartitionedLog, topology: Topology, topics: Record<string, number>, inputs: Input[], config: Partial<StreamsConfig> = {}): Promise<AppRun> {
  for (const [topic, partitions] of Object.entries(topics)) await log.createTopic(topic, { partitions });
  if (inputs.length > 0) await log.produce(inputs);
  const applicationId = config.applicationId ?? 'test-app';
  const app = new StreamsApp(topology, { applicationId, log, commitIntervalMs: 5, ...config });
  await app.start();
  // Done when the inputs and the app's own repartition topics are all consumed.
  const internal = [...topology.internalTopics.keys()].map((name) => `${applicationId}-${name}`);
  const inputTopics = [...new Set([...inputs.map((i) => i.topic), ...internal])];
  await until(async () => app.state === 'ERROR' || (await caughtUp(log, applicationId, inputTopics)), 'the app to process every input', 60_000);
  if (app.state === 'ERROR') throw app.error;
  await app.close();
  const outputs = new Map<string, LogRecord[]>();
  for (const topic of Object.keys(topics)) {
    const all: LogRecord[] = [];
    const partitions = (await log.describeTopic(topic)).partitions.length;
    for (let p = 0; p < partitions; p++) all.push(...(await readAll(log, topic, p)));
    outputs.set(topic, all);
  }
  return { outputs, app, log };
}

/** runOnLog on a fresh EmbeddedLog in a temporary folder (the caller closes `log`). */
export async function runOnEmbeddedLog(topology: Topology, topics: Record<string, number>, inputs: Input[], config: Partial<StreamsConfig> = {}): Promise<AppRun & { log: EmbeddedLog }> {
  const log = await EmbeddedLog.open(tempDir('tributary-app-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  return { ...(await runOnLog(log, topology, topics, inputs, config)), log };
}
