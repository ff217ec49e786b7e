// A round trip through EmbeddedLog: a clickstream produced to a partitioned topic, an enriched
// copy written in a transaction together with the consumer offsets, and a consumer-group lag
// report. Runs in a fresh ./data/log-demo folder and exits by itself.
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedLog } from '../src/index.js';

const dir = path.join(process.cwd(), 'data', 'log-demo');
fs.rmSync(dir, { recursive: true, force: true });
const log = await EmbeddedLog.open(dir);

await log.createTopic('clicks', { partitions: 4 });
await log.createTopic('clicks-enriched', { partitions: 4 });

const pages = ['/home', '/pricing', '/docs', '/blog'];
const clicks = Array.from({ length: 2_000 }, (_, i) => ({
  topic: 'clicks',
  key: Buffer.from(`user-${i % 50}`),
  value: Buffer.from(JSON.stringify({ page: pages[i % pages.length], at: 1_700_000_000_000 + i * 250 })),
  timestamp: 1_700_000_000_000 + i * 250,
}));
const produced = await log.produce(clicks);
console.log(`produced ${produced.length} clicks; user-7 always lands on partition ${produced[7]!.partition}`);

// Read each partition, enrich, and write the result plus the input offsets in one transaction.
const group = 'enricher';
const member = await log.joinGroup(group, { topics: ['clicks'] });
const txn = await log.transaction('enricher-0');
const offsets = [];
for (const { topic, partition } of member.assignment()) {
  const records = await log.fetch({ topic, partition, offset: 0, maxRecords: 10_000 });
  await txn.produce(
    records.map((r) => {
      const click = JSON.parse(r.value!.toString()) as { page: string; at: number };
      const section = click.page === '/home' ? 'landing' : click.page.slice(1);
      return { topic: 'clicks-enriched', partition, key: r.key, value: Buffer.from(JSON.stringify({ ...click, section })) };
    }),
  );
  offsets.push({ topic, partition, offset: records.length === 0 ? 0 : records[records.length - 1]!.offset + 1 });
}
await txn.sendOffsets(group, offsets);
console.log('before commit, read_committed sees', (await log.fetch({ topic: 'clicks-enriched', partition: 0, offset: 0 })).length, 'enriched records on partition 0');
await txn.commit();
const sample = await log.fetch({ topic: 'clicks-enriched', partition: 0, offset: 0, maxRecords: 3 });
console.log('after commit:', sample.map((r) => `${r.key?.toString()} ${r.value?.toString()}`));

await log.produce(clicks.slice(0, 100));
for (const lag of await log.groupLag(group, 'clicks')) {
  console.log(`lag ${lag.topic}-${lag.partition}: end ${lag.endOffset} - committed ${lag.committedOffset} = ${lag.lag}`);
}
await member.leave();
await log.close();
console.log(`done; the log is on disk in ${path.relative(process.cwd(), dir)}`);
