// Child process for crash tests: opens the log, then produces plain batches and transactions
// (committed or aborted) in a loop until it is killed. After each call resolves it prints one
// line saying what was acknowledged; stdout is a pipe, which Node writes synchronously on Linux,
// so a printed line always describes a finished call.
//   P <partition> <firstOffset> <count> <value-prefix>   plain produce acknowledged
//   C <txn>                                              transaction committed (acknowledged)
//   A <txn>                                              transaction aborted (acknowledged)
import { EmbeddedLog } from '../../src/index.js';

const [dir, runId] = [process.argv[2]!, process.argv[3]!];
const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0, onDamage: () => undefined });
const topics = await log.listTopics();
if (!topics.includes('crash')) await log.createTopic('crash', { partitions: 3, segmentBytes: 64 * 1024 });
const out = (line: string) => process.stdout.write(`${line}\n`);
out('ready');

let n = 0;
for (;;) {
  const kind = n % 3;
  if (kind === 0) {
    const partition = n % 2;
    const prefix = `${runId}-p${n}`;
    const records = Array.from({ length: 20 }, (_, i) => ({ topic: 'crash', partition, key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`) }));
    const metadata = await log.produce(records);
    out(`P ${partition} ${metadata[0]!.offset} ${records.length} ${prefix}`);
  } else {
    const txnName = `${runId}-t${n}`;
    const txn = await log.transaction('crash-writer');
    // Three records on each of partitions 1 and 2, and the group offset naming this transaction.
    await txn.produce(
      Array.from({ length: 6 }, (_, i) => ({ topic: 'crash', partition: 1 + (i % 2), key: null, value: Buffer.from(`${txnName}-${i}`) })),
    );
    await txn.sendOffsets(`group-${txnName}`, [{ topic: 'crash', partition: 0, offset: 1 }]);
    if (kind === 1) {
      await txn.commit();
      out(`C ${txnName}`);
    } else {
      await txn.abort();
      out(`A ${txnName}`);
    }
  }
  n++;
}
