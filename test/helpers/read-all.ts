import type { LogRecord, PartitionedLog } from '../../src/index.js';

/** Every record of a partition from its start offset (or `from`) to the end, fetch by fetch. */
export async function readAll(
  log: PartitionedLog,
  topic: string,
  partition = 0,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
  from?: number,
): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let offset = from ?? (await log.describeTopic(topic)).partitions[partition]!.startOffset;
  for (;;) {
    const batch = await log.fetch({ topic, partition, offset, isolation });
    if (batch.length === 0) return out;
    out.push(...batch);
    offset = batch[batch.length - 1]!.offset + 1;
  }
}
