import { EmbeddedLog, StreamsApp, type LogRecord, type StreamsConfig, type Topology } from '../../src/index.js';
import { readAll } from './read-all.js';
import { tempDir } from './temp-dir.js';

export type AppRun = { outputs: Map<string, LogRecord[]>; app: StreamsApp; log: EmbeddedLog };

/** Polls `condition` until it holds (no fixed sleeps: it waits for a state, not for time). */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** True once the group has committed every input topic's end offset. */
export async function caughtUp(log: EmbeddedLog, groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    for (const lag of await log.groupLag(groupId, topic)) if (lag.lag > 0 || (lag.endOffset > 0 && lag.committedOffset === null)) return false;
  }
  return true;
}

/**
 * Runs a topology as a StreamsApp on a fresh EmbeddedLog: creates the topics, produces the
 * inputs (bytes already serialized), runs until every input is committed, closes, and returns
 * what each output topic holds (read_committed).
 */
export async function runOnEmbeddedLog(
  topology: Topology,
  topics: Record<string, number>,
  inputs: { topic: string; key: Buffer | null; value: Buffer | null; timestamp?: number; partition?: number }[],
  config: Partial<StreamsConfig> = {},
): Promise<AppRun> {
  const log = await EmbeddedLog.open(tempDir('tributary-app-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  for (const [topic, partitions] of Object.entries(topics)) await log.createTopic(topic, { partitions });
  if (inputs.length > 0) await log.produce(inputs);
  const applicationId = config.applicationId ?? 'test-app';
  const app = new StreamsApp(topology, { applicationId, log, commitIntervalMs: 5, ...config });
  await app.start();
  const inputTopics = [...new Set(inputs.map((i) => i.topic))];
  await until(async () => app.state === 'ERROR' || (await caughtUp(log, applicationId, inputTopics)), 'the app to process every input');
  await app.close();
  const outputs = new Map<string, LogRecord[]>();
  for (const topic of await log.listTopics()) {
    const all: LogRecord[] = [];
    const partitions = (await log.describeTopic(topic)).partitions.length;
    for (let p = 0; p < partitions; p++) all.push(...(await readAll(log, topic, p)));
    outputs.set(topic, all);
  }
  return { outputs, app, log };
}
