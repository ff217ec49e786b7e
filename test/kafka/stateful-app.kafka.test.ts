import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KafkaLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows, type ReadOnlyKeyValueStore, type ReadOnlyWindowStore } from '../../src/index.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { crashUntilDone, INPUT_TIME_BASE } from '../helpers/app-crash-harness.js';
import { caughtUp, until } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

const s = Serdes.string();

function wordCount(t: (name: string) => string) {
  const builder = new StreamsBuilder();
  const words = builder.stream(t('lines'), { key: s, value: s }).flatMapValues((_k, line) => line.split(' '));
  words.groupBy((_k, w) => w, { key: s, value: s, name: 'by-word' }).count({ name: 'word-counts' }).toStream().to(t('counts'), { key: s, value: Serdes.int64() });
  words.groupBy((_k, w) => w, { key: s, value: s, name: 'by-word-windowed' }).windowedBy(TimeWindows.ofSizeAndGrace(1_000, 0)).count({ name: 'per-second' });
  return builder.build();
}

describe.each(['at_least_once', 'exactly_once'] as const)('a stateful app on KafkaLog (%s)', (guarantee) => {
  it('counts words like the reference, answers queries, and rebuilds its stores from the changelogs', async () => {
    const prefix = uniqueTopic(`wc-${guarantee}`);
    const t = (name: string) => `${prefix}-${name}`;
    const applicationId = `${prefix}-app`;
    const log = new KafkaLog({ brokers: kafkaBootstrap().split(','), sessionTimeoutMs: 3_000 });
    try {
      await log.createTopic(t('lines'), { partitions: 3 });
      await log.createTopic(t('counts'), { partitions: 3 });
      const words = ['ant', 'bee', 'cat', 'dog', 'eel'];
      const lines = Array.from({ length: 200 }, (_, i) => `${words[i % 5]} ${words[(i * 2) % 5]}`);
      // Today's times (day-aligned, so 1-second windows start at base + k·1000): Kafka's retention
      // check deletes records stamped in 1970, changelog records included, mid-test.
      await log.produce(lines.map((l, i) => ({ topic: t('lines'), key: Buffer.from(`l${i}`), value: Buffer.from(l), timestamp: INPUT_TIME_BASE + i * 10 })));
      const expected = new Map<string, number>();
      for (const l of lines) for (const w of l.split(' ')) expected.set(w, (expected.get(w) ?? 0) + 1);

      const topology = wordCount(t);
      const internal = [...topology.internalTopics.keys()].map((x) => `${applicationId}-${x}`);
      const stateDir = tempDir('tributary-kafka-state-');
      const run = async () => {
        const app = new StreamsApp(wordCount(t), { applicationId, log, stateDir, processingGuarantee: guarantee, commitIntervalMs: 50 });
        await app.start();
        await until(async () => app.state === 'ERROR' || (await caughtUp(log, applicationId, [t('lines'), ...internal])), 'the app to catch up', 60_000);
        if (app.state === 'ERROR') throw app.error;
        await until(() => [...expected].every(([w, c]) => app.store<ReadOnlyKeyValueStore<string, number>>('word-counts').get(w) === c), 'final counts in the store', 30_000);
        return app;
      };
      const first = await run();
      const windows = await first.store<ReadOnlyWindowStore<string, number>>('per-second').all();
      // Retention is size + grace: at stream time base + 1990 only the window [base + 1000, base + 2000) is kept (lines 100-199).
      expect(windows.every((e) => e.key.window.start === INPUT_TIME_BASE + 1_000)).toBe(true);
      expect(windows.reduce((n, e) => n + e.value, 0)).toBe(200);
      await first.close();
      expect((await log.describeTopic(`${applicationId}-word-counts-changelog`)).config.cleanupPolicy).toBe('compact');

      fs.rmSync(stateDir, { recursive: true, force: true });
      const second = await run();
      expect(second.metrics().restoredRecords).toBeGreaterThan(0);
      expect(await second.store<ReadOnlyWindowStore<string, number>>('per-second').all()).toEqual(windows);
      await second.close();
    } finally {
      await log.close();
    }
  }, 120_000);
});

describe('stateful StreamsApp on KafkaLog killed with SIGKILL and restarted until done', () => {
  it('exactly_once: final aggregates equal the reference', async () => {
    const plan = { inputs: 10_000, maxKills: 4, minDelayMs: 300, maxDelayMs: 1_500 };
    const { records, runs } = await crashUntilDone('exactly_once', { kind: 'kafka', bootstrap: kafkaBootstrap(), prefix: uniqueTopic('crash-stateful') }, plan, 'stateful');
    console.log(`kafka stateful exactly_once: finished after ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(2);
    const last = new Map<string, { count: number; sum: number }>();
    for (const r of await records('out')) {
      const value = JSON.parse(r.value!.toString()) as { count: number; sum: number };
      const previous = last.get(r.key!.toString());
      if (previous !== undefined) expect(value.count).toBeGreaterThan(previous.count);
      last.set(r.key!.toString(), value);
    }
    expect(last.size).toBe(97);
    for (let k = 0; k < 97; k++) {
      const ns = Array.from({ length: plan.inputs }, (_, n) => n).filter((n) => n % 97 === k);
      expect(last.get(`key-${k}`)).toEqual({ count: ns.length, sum: ns.reduce((a, b) => a + b, 0) });
    }
  }, 300_000);
});
