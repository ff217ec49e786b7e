import { afterEach, expect, it } from 'vitest';
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

// Stream thread 0 also serves the log to worker threads, so its rounds are bounded
// (recordsPerRound) and it sends its outputs every few full rounds rather than after each one.
// Held outputs must still go out while it stays busy: never more than about one unbounded round
// (maxPollRecords per task) behind what it has processed, however few records its topology keeps.

const PARTITIONS = 4;
const PER_PARTITION = 20_000;
const MAX_POLL = 100;
const RECORDS_PER_ROUND = 40;

let log: EmbeddedLog | undefined;
let app: StreamsApp | undefined;
afterEach(async () => {
  await app?.close();
  await log?.close();
});

async function endOffsetsSum(l: EmbeddedLog, topic: string): Promise<number> {
  const d = await l.describeTopic(topic);
  return d.partitions.reduce((sum, p) => sum + p.endOffset, 0);
}

it('a serving thread sends held outputs within a round of its unbounded size while its rounds stay full', async () => {
  log = await EmbeddedLog.open(tempDir('tributary-serving-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  await log.createTopic('in', { partitions: PARTITIONS });
  await log.createTopic('out', { partitions: PARTITIONS });
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < PER_PARTITION; i += 1000) {
      await log.produce(Array.from({ length: 1000 }, (_, j) => ({ topic: 'in', partition: p, key: null, value: Buffer.from(String(i + j)) })));
    }
  }
  // Keeps one record in ten: a rule that waited for a number of outputs would hold back ten times as many inputs.
  const builder = new StreamsBuilder();
  builder.stream('in', { key: Serdes.string(), value: Serdes.string() }).filter((_k, v) => Number(v) % 10 === 0).to('out');
  const total = PARTITIONS * PER_PARTITION;
  const config = { applicationId: 'serving', log, processingGuarantee: 'at_least_once' as const, maxPollRecords: MAX_POLL, stateDir: tempDir('tributary-serving-state-') };
  app = new StreamsApp(builder.build(), config, { threadIndex: 0, recordsPerRound: RECORDS_PER_ROUND });
  await app.start();

  // Records processed but not yet written may be: the held full rounds, the round in progress and the send in flight.
  const unsentAtMost = 2 * MAX_POLL * PARTITIONS;
  const behind: number[] = [];
  for (;;) {
    const processed = app.metrics().processedRecords;
    if (processed >= total) break;
    const written = await endOffsetsSum(log, 'out');
    // A partition's first n records hold ceil(n / 10) kept ones: at least (n - 9) / 10.
    const keptAtLeast = Math.floor((processed - unsentAtMost - 9 * PARTITIONS) / 10);
    behind.push(keptAtLeast - written);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(behind.length).toBeGreaterThan(20);
  expect(Math.max(...behind)).toBeLessThanOrEqual(0);
  await app.close();
  app = undefined;
  expect(await endOffsetsSum(log, 'out')).toBe(total / 10);
});
