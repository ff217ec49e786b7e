// The README demo: a generated clickstream goes through a stream app on the embedded log —
// bots filtered out, each click enriched with its site section, then routed to a topic per
// section — at exactly_once. Prints what comes out and exits by itself.
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from '../src/index.js';

type Click = { userId: string; page: string; userAgent: string; at: number };
type EnrichedClick = Click & { section: string; mobile: boolean };

const CLICKS = 20_000;
const dir = path.join(process.cwd(), 'data', 'clickstream');
fs.rmSync(dir, { recursive: true, force: true });
const log = await EmbeddedLog.open(dir);
for (const topic of ['clicks', 'checkout-clicks', 'docs-clicks', 'other-clicks']) await log.createTopic(topic, { partitions: 4 });

const pages = ['/', '/pricing', '/docs/intro', '/docs/api', '/checkout/cart', '/checkout/pay', '/blog/launch'];
const agents = ['Mozilla/5.0 (iPhone)', 'Mozilla/5.0 (X11; Linux)', 'Googlebot/2.1', 'Mozilla/5.0 (Android)'];
const clicks = Array.from({ length: CLICKS }, (_, i): Click => ({
  userId: `user-${(i * 7919) % 500}`,
  page: pages[(i * 31) % pages.length]!,
  userAgent: agents[(i * 13) % agents.length]!,
  at: 1_700_000_000_000 + i * 50,
}));
const json = Serdes.json<Click>();
await log.produce(clicks.map((c) => ({ topic: 'clicks', key: Buffer.from(c.userId), value: json.serialize('clicks', c), timestamp: c.at })));
console.log(`produced ${CLICKS} clicks to "clicks" (4 partitions)`);

const builder = new StreamsBuilder();
const routed = builder
  .stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>() })
  .filterNot((_user, click) => click.userAgent.includes('bot'))
  .mapValues((_user, click): EnrichedClick => ({
    ...click,
    section: click.page.split('/')[1] || 'home',
    mobile: /iPhone|Android/.test(click.userAgent),
  }))
  .split({ name: 'section-' })
  .branch((_user, click) => click.section === 'checkout', { name: 'checkout' })
  .branch((_user, click) => click.section === 'docs', { name: 'docs' })
  .defaultBranch({ name: 'other' });
const enriched = { value: Serdes.json<EnrichedClick>() };
routed['section-checkout']!.to('checkout-clicks', enriched);
routed['section-docs']!.to('docs-clicks', enriched);
routed['section-other']!.to('other-clicks', enriched);
const topology = builder.build();
console.log(topology.describe());

const app = new StreamsApp(topology, { applicationId: 'clickstream-demo', log, processingGuarantee: 'exactly_once' });
const started = performance.now();
await app.start();
for (;;) {
  const lag = (await log.groupLag('clickstream-demo', 'clicks')).reduce((n, p) => n + p.lag, 0);
  if (lag === 0 || app.state === 'ERROR') break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await app.close();
if (app.state !== 'NOT_RUNNING' || app.error !== undefined) throw app.error;
console.log(`processed ${app.metrics().processedRecords} clicks in ${Math.round(performance.now() - started)} ms at exactly_once\n`);

const read = Serdes.json<EnrichedClick>();
for (const topic of ['checkout-clicks', 'docs-clicks', 'other-clicks']) {
  const description = await log.describeTopic(topic);
  const total = description.partitions.reduce((n, p) => n + p.endOffset, 0);
  const [sample] = await log.fetch({ topic, partition: 0, offset: 0, maxRecords: 1 });
  const click = sample && read.deserialize(topic, sample.value!);
  console.log(`${topic}: ${total} records; e.g. ${sample?.key?.toString()} → ${JSON.stringify(click)}`);
}
await log.close();
