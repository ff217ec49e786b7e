// Child process for the StreamsApp crash test: runs `in → selectKey → repartition → mapValues →
// out` on the log folder until every input is committed, then closes and prints "done". The
// parent kills it with SIGKILL at random moments and starts it again.
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from '../../src/index.js';

const [dir, guarantee] = [process.argv[2]!, process.argv[3] as 'at_least_once' | 'exactly_once'];
const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0, onDamage: () => undefined });
const s = Serdes.string();
const builder = new StreamsBuilder();
builder
  .stream('in', { key: s, value: s })
  .selectKey((_k, v) => `key-${Number(v) % 97}`)
  .repartition({ name: 'rekeyed' })
  .mapValues((_k, v) => `out-${v}`)
  .to('out', { key: s, value: s });
const app = new StreamsApp(builder.build(), { applicationId: 'crash-app', log, processingGuarantee: guarantee, commitIntervalMs: guarantee === 'exactly_once' ? 100 : 50 });
await app.start();
process.stdout.write('ready\n');
const internal = 'crash-app-rekeyed-repartition';
for (;;) {
  let behind = 0;
  for (const topic of ['in', internal]) for (const lag of await log.groupLag('crash-app', topic)) behind += lag.lag;
  if (app.state === 'ERROR') throw app.error;
  if (behind === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await app.close();
await log.close();
process.stdout.write('done\n');
