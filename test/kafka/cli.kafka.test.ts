import { describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/index.js';
import { cli } from '../cli/cli-harness.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

describe('tributary CLI on Kafka', () => {
  it('creates and describes a topic, produces and consumes, and --follow prints records produced meanwhile', async () => {
    const servers = kafkaBootstrap();
    const topic = uniqueTopic('cli');
    expect((await cli(['topics', 'create', topic, '--partitions', '2', '--bootstrap', servers])).code).toBe(0);
    expect((await cli(['topics', '--bootstrap', servers])).out).toContain(topic);
    const produced = await cli(['produce', topic, '--key-separator', ':', '--bootstrap', servers], ['a:1', 'b:2', 'a:3']);
    expect(produced).toMatchObject({ code: 0, out: [`produced 3 records to ${topic}`] });
    const described = await cli(['topics', 'describe', topic, '--bootstrap', servers]);
    expect(described.out.slice(1).map((l) => Number(/end (\d+)/.exec(l)![1])).reduce((a, b) => a + b, 0)).toBe(3);

    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    const following = cli(['consume', topic, '--print-key', '--follow', '--bootstrap', servers], [], interrupted);
    const log = new KafkaLog({ brokers: servers.split(','), clientId: 'cli-test' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await log.produce([{ topic, key: Buffer.from('c'), value: Buffer.from('4') }]);
      const deadline = Date.now() + 20_000;
      // Read the topic's end through a second client until the late record is there, then give
      // the follower a few polls to print it before stopping it.
      while ((await log.describeTopic(topic)).partitions.reduce((n, p) => n + p.endOffset, 0) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      stop();
      await log.close();
    }
    const run = await following;
    expect(run.code).toBe(0);
    expect(run.out.sort()).toEqual(['a\t1', 'a\t3', 'b\t2', 'c\t4']);
  });
});
