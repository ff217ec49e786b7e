// The framework on KafkaLog next to EmbeddedLog, and the raw kafkajs client, in one run:
// - raw kafkajs: a consumer reading `in` and producing each batch to `out` (the same work as a
//   stateless app, without Tributary), and plain produce throughput;
// - filter → mapValues → to on KafkaLog (at_least_once, exactly_once) and on EmbeddedLog;
// - a tumbling-window count (10k keys) on KafkaLog and on EmbeddedLog.
// Needs a broker: KAFKA_BOOTSTRAP_SERVERS, or one is started with scripts/kafka/start.sh.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { EmbeddedLog, KafkaLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows, type PartitionedLog } from '../src/index.js';

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 200_000);
const PARTITIONS = 8;
const run = Date.now().toString(36);
const value = Buffer.from('x'.repeat(100));

function brokers(): { servers: string; stop: () => void } {
  const given = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (given) return { servers: given, stop: () => undefined };
  const root = path.join(import.meta.dirname, '..');
  const out = execFileSync('bash', [path.join(root, 'scripts/kafka/start.sh')], { cwd: root, encoding: 'utf8' });
  const servers = /KAFKA_BOOTSTRAP_SERVERS=(\S+)/.exec(out)?.[1];
  if (servers === undefined) throw new Error(`the broker did not start:\n${out}`);
  return { servers, stop: () => execFileSync('bash', [path.join(root, 'scripts/kafka/stop.sh')], { cwd: root }) };
}

async function fill(log: PartitionedLog, topic: string, keys: number): Promise<void> {
  for (let i = 0; i < RECORDS; i += 5000) {
    await log.produce(Array.from({ length: 5000 }, (_, j) => ({ topic, key: Buffer.from(`key-${(i + j) % keys}`), value, timestamp: Date.now() })));
  }
}

function stateless(t: (n: string) => string) {
  const s = Serdes.string();
  const b = new StreamsBuilder();
  b.stream(t('in'), { key: s, value: s }).filter((_k, v) => v.charCodeAt(0) !== 33).mapValues((_k, v) => v.toUpperCase()).to(t('out'), { key: s, value: s });
  return b.build();
}

function windowed(t: (n: string) => string) {
  const s = Serdes.string();
  const b = new StreamsBuilder();
  b.stream(t('in'), { key: s, value: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 0)).count().toStream().to(t('out'), { key: Serdes.windowed(s), value: Serdes.int64() });
  return b.build();
}

/** Records/s for an app to process RECORDS pre-produced records (start to clean close). */
async function app(log: PartitionedLog, name: string, build: (t: (n: string) => string) => ReturnType<typeof stateless>, guarantee: 'at_least_once' | 'exactly_once', keys: number): Promise<number> {
  const t = (n: string) => `bench-${run}-${name}-${n}`;
  await log.createTopic(t('in'), { partitions: PARTITIONS });
  await log.createTopic(t('out'), { partitions: PARTITIONS });
  await fill(log, t('in'), keys);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-kafka-'));
  const streams = new StreamsApp(build(t), { applicationId: t('app'), log, stateDir, processingGuarantee: guarantee });
  const started = performance.now();
  await streams.start();
  while (streams.metrics().processedRecords < RECORDS) {
    if (streams.state === 'ERROR') throw streams.error;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await streams.close();
  const perSecond = Math.round(RECORDS / ((performance.now() - started) / 1000));
  fs.rmSync(stateDir, { recursive: true, force: true });
  return perSecond;
}

/** Raw kafkajs: a consumer group reading `in` and sending each batch to `out`. */
async function rawPipeline(servers: string, log: KafkaLog): Promise<{ pipeline: number; produce: number }> {
  const t = (n: string) => `bench-${run}-raw-${n}`;
  await log.createTopic(t('in'), { partitions: PARTITIONS });
  await log.createTopic(t('out'), { partitions: PARTITIONS });
  const kafka = new kafkajs.Kafka({ brokers: servers.split(','), clientId: 'bench-raw', logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  let started = performance.now();
  for (let i = 0; i < RECORDS; i += 5000) {
    await producer.send({ topic: t('in'), messages: Array.from({ length: 5000 }, (_, j) => ({ key: `key-${(i + j) % 100_000}`, value })) });
  }
  const produce = Math.round(RECORDS / ((performance.now() - started) / 1000));
  const consumer = kafka.consumer({ groupId: t('group'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: t('in'), fromBeginning: true });
  let seen = 0;
  started = performance.now();
  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await producer.send({ topic: t('out'), messages: batch.messages.map((m) => ({ key: m.key, value: m.value!.toString().toUpperCase() })) });
      seen += batch.messages.length;
      if (seen >= RECORDS) done();
    },
  });
  await finished;
  const pipeline = Math.round(RECORDS / ((performance.now() - started) / 1000));
  await consumer.disconnect();
  await producer.disconnect();
  return { pipeline, produce };
}

export async function runKafkaBench(): Promise<Record<string, number | string>> {
  const broker = brokers();
  const kafka = new KafkaLog({ brokers: broker.servers.split(','), clientId: 'bench' });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-embedded-'));
  const embedded = await EmbeddedLog.open(root, { fsync: 'commit', maintenanceIntervalMs: 0 });
  try {
    const raw = await rawPipeline(broker.servers, kafka);
    const results: Record<string, number | string> = { records: RECORDS, partitions: PARTITIONS, 'raw kafkajs produce rec/s': raw.produce, 'raw kafkajs consume→produce rec/s': raw.pipeline };
    results['stateless KafkaLog at_least_once rec/s'] = await app(kafka, 'sl-alos', stateless, 'at_least_once', 100_000);
    results['stateless KafkaLog exactly_once rec/s'] = await app(kafka, 'sl-eos', stateless, 'exactly_once', 100_000);
    results['stateless EmbeddedLog at_least_once rec/s'] = await app(embedded, 'sl-alos', stateless, 'at_least_once', 100_000);
    results['windowed count 10k keys KafkaLog at_least_once rec/s'] = await app(kafka, 'w-alos', windowed, 'at_least_once', 10_000);
    results['windowed count 10k keys KafkaLog exactly_once rec/s'] = await app(kafka, 'w-eos', windowed, 'exactly_once', 10_000);
    results['windowed count 10k keys EmbeddedLog at_least_once rec/s'] = await app(embedded, 'w-alos', windowed, 'at_least_once', 10_000);
    results['stateless KafkaLog at_least_once / raw consume→produce'] = Math.round(((results['stateless KafkaLog at_least_once rec/s'] as number) / raw.pipeline) * 100) / 100;
    return results;
  } finally {
    await embedded.close();
    await kafka.close();
    fs.rmSync(root, { recursive: true, force: true });
    broker.stop();
  }
}
