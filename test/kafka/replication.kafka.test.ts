import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog, Serdes, StreamsApp, StreamsBuilder, TributaryError } from '../../src/index.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { readAll } from '../helpers/read-all.js';
import { caughtUp, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';

// A three-node cluster of its own (scripts/kafka/start.sh --brokers 3): topics replicated 3
// times, min.insync.replicas 2. One node is killed with SIGKILL while the log and an app work.
const root = path.resolve(import.meta.dirname, '../..');
const cluster = path.join(root, '.kafka/run-cluster');
let brokers: string[] = [];

beforeAll(() => {
  const out = execFileSync('bash', [path.join(root, 'scripts/kafka/start.sh'), '--brokers', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  const match = /KAFKA_BOOTSTRAP_SERVERS=(.+)$/.exec(out.trim().split('\n').pop() ?? '');
  if (!match) throw new Error(`start.sh --brokers 3 did not print the bootstrap servers: ${out}`);
  brokers = match[1]!.split(',');
}, 300_000);

afterAll(() => {
  execFileSync('bash', [path.join(root, 'scripts/kafka/stop.sh'), '--brokers', '3'], { stdio: 'inherit' });
}, 120_000);

/** Node id leading a partition, from the cluster's metadata. */
async function leaderOf(topic: string, partition: number): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const p = metadata.topics[0]!.partitions.find((x) => x.partitionId === partition)!;
    expect(p.replicas).toHaveLength(3);
    return p.leader;
  } finally {
    await admin.disconnect();
  }
}

const killed = new Set<number>();

function killNode(id: number): void {
  process.kill(Number(fs.readFileSync(path.join(cluster, `kafka-${id}.pid`), 'utf8')), 'SIGKILL');
  killed.add(id);
}

/** Starts a killed node again with its data, without blocking the event loop meanwhile. */
async function restartNode(id: number): Promise<void> {
  await promisify(execFile)('bash', [path.join(root, 'scripts/kafka/start.sh'), '--brokers', '3', '--restart-node', String(id)], { timeout: 120_000 });
  killed.delete(id);
}

// Each test starts with all three nodes up.
afterEach(async () => {
  for (const id of [...killed]) await restartNode(id);
}, 240_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const s = Serdes.string();

describe('KafkaLog on a three-node cluster', () => {
  it('keeps every acknowledged write when the leader is killed, and the exactly_once app finishes with each input once', async () => {
    const log = new KafkaLog({ brokers, sessionTimeoutMs: 3_000 });
    const t = (name: string) => `${uniqueTopic('replicated')}-${name}`;
    const [input, output] = [t('in'), t('out')];
    try {
      await log.createTopic(input, { partitions: 3 });
      await log.createTopic(output, { partitions: 3 });
      const produce = (from: number, count: number) =>
        log.produce(Array.from({ length: count }, (_, i) => ({ topic: input, key: Buffer.from(`k${from + i}`), value: Buffer.from(String(from + i)), timestamp: Date.now() })));
      await produce(0, 3_000);

      const builder = new StreamsBuilder();
      builder.stream(input, { key: s, value: s }).mapValues((_k, v) => `out-${v}`).to(output, { key: s, value: s });
      const applicationId = `${input}-app`;
      const app = new StreamsApp(builder.build(), { applicationId, log, processingGuarantee: 'exactly_once', commitIntervalMs: 100, stateDir: tempDir('tributary-replication-') });
      await app.start();
      await until(() => app.metrics().processedRecords > 500, 'the app to process some records', 60_000);

      // Kill the node leading partition 0 of the input while the app runs, then keep writing.
      const victim = await leaderOf(input, 0);
      killNode(victim);
      // The produce waits for the partition's new leader (KRaft notices the dead node after ~9 s).
      const killedAt = Date.now();
      await produce(3_000, 3_000);
      console.log(`replication test: the produce after the kill took ${Date.now() - killedAt} ms`);

      await until(async () => app.state === 'ERROR' || (await caughtUp(log, applicationId, [input])), 'the app to catch up after the broker died', 120_000);
      expect(app.error).toBeUndefined();
      console.log(`replication test: the app recovered ${app.metrics().recoveries} time(s) while the node was down`);
      await app.close();

      const inputs = (await Promise.all([0, 1, 2].map((p) => readAll(log, input, p)))).flat();
      expect(inputs.map((r) => Number(r.value!.toString())).sort((a, b) => a - b)).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
      for (const p of [0, 1, 2]) {
        const offsets = (await readAll(log, input, p)).map((r) => r.offset);
        expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => offsets[0]! + i));
      }
      const outputs = (await Promise.all([0, 1, 2].map((p) => readAll(log, output, p)))).flat().map((r) => r.value!.toString());
      expect(outputs).toHaveLength(6_000);
      expect(new Set(outputs).size).toBe(6_000);
    } finally {
      await log.close();
    }
  }, 240_000);

  it('a producer writing through two leader kills and restarts writes no record twice, loses none it was told were written, and keeps working', async () => {
    const log = new KafkaLog({ brokers });
    const topic = `${uniqueTopic('replicated')}-loop`;
    const partitions = 6;
    const perCall = 60;
    try {
      await log.createTopic(topic, { partitions });
      // Calls of 60 records spread over all six partitions, one after another; each value once.
      let next = 0;
      let stop = false;
      const acknowledged: number[] = [];
      const failures: string[] = [];
      const call = async (): Promise<void> => {
        const from = next;
        next += perCall;
        await log.produce(Array.from({ length: perCall }, (_, i) => ({ topic, key: Buffer.from(`k${from + i}`), value: Buffer.from(String(from + i)) })));
        acknowledged.push(from);
      };
      const loop = (async () => {
        while (!stop) {
          try {
            await call();
          } catch (e) {
            expect(e).toBeInstanceOf(TributaryError);
            failures.push((e as Error).message);
            await pause(100);
          }
        }
      })();

      for (const partition of [0, 1]) {
        const before = acknowledged.length;
        await until(() => acknowledged.length > before + 20, 'the producer to write', 60_000);
        const victim = await leaderOf(topic, partition);
        killNode(victim);
        await pause(4_000);
        await restartNode(victim);
        await pause(3_000);
      }
      stop = true;
      await loop;
      console.log(`replication test: ${acknowledged.length} calls acknowledged, ${failures.length} failed: ${[...new Set(failures)].join('; ')}`);

      // Failed calls are allowed while leaders move; afterwards the producer works again (a
      // producer whose sequence numbers the brokers refuse would fail every call from here on).
      await until(async () => call().then(() => true, () => pause(200).then(() => false)), 'produce to succeed again', 60_000);
      for (let i = 0; i < 5; i++) await call();

      const values = (await Promise.all(Array.from({ length: partitions }, (_, p) => readAll(log, topic, p)))).flat().map((r) => Number(r.value!.toString()));
      const counts = new Map<number, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      expect([...counts].filter(([, n]) => n > 1).map(([v]) => v)).toEqual([]);
      const missing = acknowledged.flatMap((from) => Array.from({ length: perCall }, (_, i) => from + i)).filter((v) => !counts.has(v));
      expect(missing).toEqual([]);
    } finally {
      await log.close();
    }
  }, 300_000);
});
