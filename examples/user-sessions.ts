// User sessions: clicks grouped per user into sessions separated by 5 minutes of inactivity;
// each session's click count is queried from the session store.
import { Serdes, SessionWindows, StreamsApp, StreamsBuilder, type ReadOnlySessionStore } from '../src/index.js';
import { untilCaughtUp } from './caught-up.js';
import { exampleLog, recentUtcTime } from './example-log.js';

const MINUTE = 60_000;
const { log, stateDir, applicationId, createTopics } = await exampleLog('user-sessions', 'sessions');
await createTopics({ clicks: 2, sessions: 2 });

// Each user clicks in bursts: three bursts of clicks a minute apart, 20 minutes between bursts.
const start = recentUtcTime(9);
const clicks = [];
for (const user of ['ada', 'grace', 'linus']) {
  for (let burst = 0; burst < 3; burst++) {
    for (let click = 0; click < 4; click++) clicks.push({ topic: 'clicks', key: Buffer.from(user), value: Buffer.from('/page'), timestamp: start + burst * 20 * MINUTE + click * MINUTE });
  }
}
await log.produce(clicks.sort((a, b) => a.timestamp - b.timestamp)); // in event-time order, as they happened

const builder = new StreamsBuilder();
builder
  .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
  .groupByKey()
  .windowedBy(SessionWindows.ofInactivityGapAndGrace(5 * MINUTE, MINUTE))
  .count({ name: 'clicks-per-session', retentionMs: 24 * 60 * MINUTE }) // keep closed sessions queryable for a day
  .toStream()
  .to('sessions', { key: Serdes.windowed(Serdes.string()), value: Serdes.int64() });
const topology = builder.build();

const app = new StreamsApp(topology, { applicationId, log, stateDir, processingGuarantee: 'exactly_once' });
await app.start();
await untilCaughtUp(log, app, applicationId, topology, ['clicks']);
const sessions = app.store<ReadOnlySessionStore<string, number>>('clicks-per-session');
for (const user of ['ada', 'grace', 'linus']) {
  const found = sessions.fetch(user).map((s) => `${new Date(s.key.window.start).toISOString().slice(11, 16)}–${new Date(s.key.window.end).toISOString().slice(11, 16)}: ${s.value} clicks`);
  console.log(`${user}: ${found.length} sessions (${found.join(', ')})`);
}
await app.close();
await log.close();
