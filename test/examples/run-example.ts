import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '../..');

/** The logs every example runs on in the tests: the embedded one, and the Kafka broker of the test run. */
export const EXAMPLE_LOGS = ['EmbeddedLog', 'KafkaLog'] as const;

/**
 * Runs an example as the README does (`npm run example:…` is `tsx examples/<file>`), on the
 * embedded log or on Kafka (TRIBUTARY_KAFKA, see examples/example-log.ts); returns what it printed.
 */
export async function example(file: string, on: (typeof EXAMPLE_LOGS)[number]): Promise<string> {
  const env = { ...process.env };
  if (on === 'KafkaLog') {
    env.TRIBUTARY_KAFKA = kafkaBootstrap();
    env.TRIBUTARY_KAFKA_RESET_TOPICS = '1'; // the test broker's topics are ours to delete
  } else delete env.TRIBUTARY_KAFKA;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join('examples', file)], { cwd: root, timeout: 90_000, env });
  return stdout;
}
