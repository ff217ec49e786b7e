// Page views per page per minute: tumbling one-minute windows with 10 s of grace, suppressed so
// each window's final count is written once, after it closes.
import { Serdes, StreamsApp, StreamsBuilder, Suppressed, TimeWindows } from '../src/index.js';
import { untilCaughtUp } from './caught-up.js';
import { exampleLog, recentUtcTime } from './example-log.js';

type PageView = { page: string; userId: string };
const MINUTE = 60_000;
const { log, stateDir, applicationId, createTopics } = await exampleLog('page-views', 'page-stats');
await createTopics({ 'page-views': 1, 'views-per-minute': 2 });

// Five minutes of views, one every 250 ms of event time, a little out of order.
const pages = ['/', '/pricing', '/docs', '/blog'];
const start = recentUtcTime(12);
const json = Serdes.json<PageView>();
await log.produce(Array.from({ length: 1_200 }, (_, i) => {
  const view = { page: pages[(i * 7) % pages.length]!, userId: `u${i % 50}` };
  return { topic: 'page-views', key: Buffer.from(view.userId), value: json.serialize('page-views', view), timestamp: start + i * 250 - (i % 5) * 1_000 };
}));
// Later views of every page move stream time (per partition of the grouped stream) past the last
// window's end + grace, so that window closes too.
await log.produce(pages.map((page) => ({ topic: 'page-views', key: Buffer.from('u0'), value: json.serialize('page-views', { page, userId: 'u0' }), timestamp: start + 7 * MINUTE })));

const builder = new StreamsBuilder();
builder
  .stream('page-views', { key: Serdes.string(), value: Serdes.json<PageView>() })
  .groupBy((_user, view) => view.page, { key: Serdes.string(), value: Serdes.json<PageView>() })
  .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 10_000))
  .count({ name: 'views-per-minute' })
  .suppress(Suppressed.untilWindowCloses())
  .toStream()
  .to('views-per-minute', { key: Serdes.windowed(Serdes.string()), value: Serdes.int64() });
const topology = builder.build();

const app = new StreamsApp(topology, { applicationId, log, stateDir, processingGuarantee: 'exactly_once' });
await app.start();
await untilCaughtUp(log, app, applicationId, topology, ['page-views']);
await app.close();

const keySerde = Serdes.windowed(Serdes.string());
const rows: string[] = [];
for (const partition of [0, 1]) {
  for (const r of await log.fetch({ topic: 'views-per-minute', partition, offset: 0, maxRecords: 1_000, isolation: 'read_committed' })) {
    const { key, window } = keySerde.deserialize('views-per-minute', r.key!);
    rows.push(`${new Date(window.start).toISOString().slice(11, 16)} ${key.padEnd(9)} ${Serdes.int64().deserialize('', r.value!)}`);
  }
}
console.log(`${rows.length} final per-minute counts (one per page and closed minute):`);
for (const row of rows.sort()) console.log(row);
await log.close();
