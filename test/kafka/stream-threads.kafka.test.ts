import { afterAll, describe, expect, it } from 'vitest';
import { KafkaLog, StreamsApp } from '../../src/index.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { INPUT_TIME_BASE } from '../helpers/app-crash-harness.js';
import { readAll } from '../helpers/read-all.js';
import { caughtUp, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

const log = new KafkaLog({ brokers: kafkaBootstrap().split(','), clientId: 'tributary-threads' });
afterAll(async () => {
  await log.close();
});

describe('stream threads on KafkaLog (the main thread serves its Kafka client to the workers)', () => {
  it('two threads at exactly_once write every input once', async () => {
    const prefix = `${uniqueTopic('threads')}-`;
    process.env.TRIBUTARY_THREADS_TEST_PREFIX = prefix;
    await log.createTopic(`${prefix}in`, { partitions: 4 });
    await log.createTopic(`${prefix}out`, { partitions: 4 });
    await log.produce(Array.from({ length: 2_000 }, (_, i) => ({ topic: `${prefix}in`, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: INPUT_TIME_BASE + i })));
    const applicationId = `${prefix}app`;
    const app = await StreamsApp.fromModule(new URL('./fixtures/prefixed-uppercase-topology.ts', import.meta.url), {
      applicationId,
      log,
      stateDir: tempDir('tributary-threads-kafka-'),
      processingGuarantee: 'exactly_once',
      numStreamThreads: 2,
    });
    await app.start();
    try {
      expect((await log.describeGroup(applicationId)).members).toHaveLength(2);
      await until(async () => app.state === 'ERROR' || (await caughtUp(log, applicationId, [`${prefix}in`])), 'the threads to catch up', 90_000);
      expect(app.error).toBeUndefined();
    } finally {
      await app.close();
    }
    const out: string[] = [];
    for (let p = 0; p < 4; p++) for (const r of await readAll(log, `${prefix}out`, p)) out.push(`${r.key}=${r.value}`);
    expect(out.sort()).toEqual(Array.from({ length: 2_000 }, (_, i) => `k${i}=V${i}`).sort());
  }, 120_000);
});
