// Child process for the StreamsApp crash test: runs `in → selectKey → repartition → mapValues →
// out` on the log folder until every input is committed, then closes and prints "done". The
// parent kills it with SIGKILL at random moments and starts it again.
// With a third argument "kafka:<bootstrap>:<prefix>" it runs on KafkaLog, topics <prefix>-in/out.
// With CRASH_MODE=stateful it aggregates instead: per key (n % 97) the count and sum of inputs to
// `out`, and per key and 1-second window the count to `out-windowed` (LevelDB stores, changelogs).
// With CRASH_MODE=join: each input joined with the table `in-table` on key n % 97 to `out`, and
// even inputs 2m joined with odd inputs 2m+1 (window 1 ms, key m % 500) to `out-joined`, and a
// table of lines (input n written to `lines` as line-(n % 1000) → n) joined on the foreign key
// key-(n % 97) with `in-table` to `out-fk`.
import { EmbeddedLog, JoinWindows, KafkaLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows, type PartitionedLog } from '../../src/index.js';

const [dir, guarantee, backend] = [process.argv[2]!, process.argv[3] as 'at_least_once' | 'exactly_once', process.argv[4]];
const [, bootstrap, prefix] = backend?.split('|') ?? [];
const log: PartitionedLog =
  bootstrap === undefined
    ? await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0, onDamage: () => undefined })
    : new KafkaLog({ brokers: bootstrap.split(','), sessionTimeoutMs: 3_000 });
const topic = (name: string) => (prefix === undefined ? name : `${prefix}-${name}`);
const applicationId = prefix === undefined ? 'crash-app' : `${prefix}-app`;
const s = Serdes.string();
const builder = new StreamsBuilder();
const stateful = process.env['CRASH_MODE'] === 'stateful';
const input = builder.stream(topic('in'), { key: s, value: s });
const rekeyed = input.selectKey((_k, v) => `key-${Number(v) % 97}`);
if (process.env['CRASH_MODE'] === 'join') {
  const table = builder.table(topic('in-table'), { key: s, value: s }, { name: 'join-table' });
  rekeyed.join(table, (n, row) => `${n}:${row}`, { key: s, value: s }).to(topic('out'), { key: s, value: s });
  const pairKey = (v: string) => `p${Math.floor(Number(v) / 2) % 500}`;
  const evens = input.filter((_k, v) => Number(v) % 2 === 0).selectKey((_k, v) => pairKey(v));
  const odds = input.filter((_k, v) => Number(v) % 2 === 1).selectKey((_k, v) => pairKey(v));
  // A grace far beyond the run: records arriving late after a restart must still join.
  evens
    .join(odds, (even, odd) => `${even}+${odd}`, JoinWindows.ofTimeDifferenceAndGrace(1, 1_000_000_000), { key: s, value: s, otherValue: s, storeName: 'pairs' })
    .to(topic('out-joined'), { key: s, value: s });
  input.selectKey((_k, v) => `line-${Number(v) % 1000}`).to(topic('lines'), { key: s, value: s });
  builder
    .table(topic('lines'), { key: s, value: s })
    .join(table, (n) => `key-${Number(n) % 97}`, (n, row) => `${n}:${row}`)
    .toStream()
    .to(topic('out-fk'), { key: s, value: s });
} else if (stateful) {
  const grouped = rekeyed.groupByKey({ key: s, value: s, name: 'by-key' });
  grouped
    .aggregate(() => ({ count: 0, sum: 0 }), (_k, v, agg) => ({ count: agg.count + 1, sum: agg.sum + Number(v) }), { name: 'totals' })
    .toStream()
    .mapValues((_k, agg) => JSON.stringify(agg))
    .to(topic('out'), { key: s, value: s });
  grouped
    .windowedBy(TimeWindows.ofSizeAndGrace(1_000, 1_000_000_000))
    .count({ name: 'per-second' })
    .toStream()
    .to(topic('out-windowed'), { key: Serdes.windowed(s), value: Serdes.int64() });
} else {
  rekeyed.repartition({ name: 'rekeyed' }).mapValues((_k, v) => `out-${v}`).to(topic('out'), { key: s, value: s });
}
const topology = builder.build();
const stateDir = `${dir}-state`;
const app = new StreamsApp(topology, { applicationId, log, stateDir, processingGuarantee: guarantee, commitIntervalMs: guarantee === 'exactly_once' ? (stateful ? 20 : 100) : 50 });
await app.start();
process.stdout.write(`ready restored=${app.metrics().restoredRecords}\n`);
const sources = process.env['CRASH_MODE'] === 'join' ? [topic('in'), topic('lines')] : [topic('in')];
const topics = [...sources, ...[...topology.internalTopics.keys()].map((t) => `${applicationId}-${t}`)];
let quietChecks = 0;
let lastReport = Date.now();
for (;;) {
  let behind = 0;
  for (const t of topics) {
    for (const lag of await log.groupLag(applicationId, t)) {
      // EmbeddedLog: done means lag 0. On Kafka a transaction's commit marker takes an offset no
      // one consumes, so there a remaining lag counts only if a record is readable past the commit.
      const readable = async () =>
        lag.committedOffset === null || (await log.fetch({ topic: t, partition: lag.partition, offset: lag.committedOffset, maxRecords: 1 })).length > 0;
      if (lag.lag > 0 && (bootstrap === undefined || (await readable()))) behind += lag.lag;
    }
  }
  if (app.state === 'ERROR') throw app.error;
  if (process.env['CRASH_DEBUG'] !== undefined && Date.now() - lastReport > 3_000) {
    lastReport = Date.now();
    process.stderr.write(`[crash-app ${process.pid}] state=${app.state} behind=${behind} metrics=${JSON.stringify(app.metrics())}\n`);
  }
  // On Kafka, offsets can be visible just before the markers that make the records they cover
  // readable (see caughtUp in run-app.ts): done only when quiet on two checks 300 ms apart.
  quietChecks = behind === 0 ? quietChecks + 1 : 0;
  if (quietChecks >= (bootstrap === undefined ? 1 : 2)) break;
  await new Promise((resolve) => setTimeout(resolve, behind === 0 && bootstrap !== undefined ? 300 : 20));
}
await app.close();
await log.close();
process.stdout.write('done\n');
