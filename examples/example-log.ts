// Example helper: the log an example runs on. By default the embedded log in data/<name>; with
// TRIBUTARY_KAFKA=<bootstrap servers> a Kafka cluster (the tests run each example both ways).
// On Kafka an example needs its topics fresh: it stops if one exists, unless
// TRIBUTARY_KAFKA_RESET_TOPICS=1 allows it to delete them (the tests set it for their own broker).
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedLog, KafkaLog, TopicAlreadyExistsError, type PartitionedLog } from '../src/index.js';

export type ExampleLog = {
  log: PartitionedLog;
  /** Where the app keeps its state stores (a fresh folder). */
  stateDir: string;
  /** The application id to use: on Kafka a fresh one per run, so no earlier run's group offsets apply. */
  applicationId: string;
  /** Creates the example's topics, empty (on Kafka, topics left by an earlier run are deleted first if allowed). */
  createTopics(topics: Record<string, number>): Promise<void>;
};

export async function exampleLog(name: string, applicationId: string): Promise<ExampleLog> {
  const dir = path.join(process.cwd(), 'data', name);
  fs.rmSync(dir, { recursive: true, force: true });
  const stateDir = path.join(dir, 'state');
  const bootstrap = process.env.TRIBUTARY_KAFKA;
  if (bootstrap === undefined || bootstrap === '') {
    const log = await EmbeddedLog.open(path.join(dir, 'log'));
    return { log, stateDir, applicationId, createTopics: async (topics) => {
      for (const [topic, partitions] of Object.entries(topics)) await log.createTopic(topic, { partitions });
    } };
  }
  const log = new KafkaLog({ brokers: bootstrap.split(','), sessionTimeoutMs: 3_000 });
  return {
    log,
    stateDir,
    applicationId: `${applicationId}-${Date.now().toString(36)}`,
    createTopics: async (topics) => {
      const existing = new Set(await log.listTopics());
      const reset = process.env.TRIBUTARY_KAFKA_RESET_TOPICS === '1';
      for (const [topic, partitions] of Object.entries(topics)) {
        if (existing.has(topic) && !reset) {
          throw new Error(`Topic "${topic}" already exists on ${bootstrap}; the example needs it empty. Delete it, or set TRIBUTARY_KAFKA_RESET_TOPICS=1 to let the example delete it`);
        }
        if (existing.has(topic)) await log.deleteTopic(topic);
        // A deleted topic's name can stay taken for a moment.
        for (let attempt = 0; ; attempt++) {
          try {
            await log.createTopic(topic, { partitions });
            break;
          } catch (e) {
            if (!(e instanceof TopicAlreadyExistsError) || attempt === 50) throw e;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      }
    },
  };
}

/**
 * The latest moment with this UTC time of day that is at least an hour ago, in ms: the examples'
 * event times. Recent, because a Kafka broker's retention (7 days by default) deletes older
 * records, even in the middle of a run; and past, because a broker refuses timestamps more than
 * an hour ahead of its clock (`log.message.timestamp.after.max.ms`), and the examples' events run
 * minutes past this time.
 */
export function recentUtcTime(hours: number, minutes = 0): number {
  const day = 86_400_000;
  const today = Math.floor(Date.now() / day) * day + (hours * 60 + minutes) * 60_000;
  return today <= Date.now() - 3_600_000 ? today : today - day;
}
