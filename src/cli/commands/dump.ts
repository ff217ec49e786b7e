import fs from 'node:fs';
import { EmbeddedLog, type SegmentDump } from '../../index.js';
import { noMorePositionals, parseCommand, positional, wholeNumber } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const DUMP_USAGE = `dump <topic> [--partition N] [--json]  an EmbeddedLog partition's segment files batch by
                                        batch, and damage the next open would cut off; reads
                                        only, so it works beside a running app (--data only)`;

const time = (ms: number) => new Date(ms).toISOString();

function printSegment(s: SegmentDump, io: CliIo): void {
  io.out(`partition ${s.partition}  ${s.file}  base offset ${s.baseOffset ?? '? (bad header)'}  ${s.bytes} bytes  ${s.batches.length} batches`);
  for (const b of s.batches) {
    const txn = b.transactional ? `  transactional (seq ${b.transactionSeq})` : '';
    io.out(`  at ${b.position}: offsets ${b.firstOffset}..${b.lastOffset}  ${b.records} records  ${b.bytes} bytes${txn}  max timestamp ${time(b.maxTimestamp)}  appended ${time(b.appendTime)}`);
  }
  if (s.damage !== undefined) io.out(`  DAMAGE at ${s.damage.position}: ${s.damage.reason}; the next open cuts ${s.damage.droppedBytes} bytes`);
}

/** kafka-dump-log for EmbeddedLog: needs the folder, not the log (it takes no lock). */
export function dumpCommand(data: string | undefined, args: string[], io: CliIo): void {
  const { values, positionals } = parseCommand(args, { partition: { type: 'string' }, json: { type: 'boolean' } });
  const topic = positional(positionals, 0, 'topic name');
  noMorePositionals(positionals, 1);
  if (data === undefined) throw new CliUsageError('dump reads an EmbeddedLog folder: give --data <folder> (on Kafka, use kafka-dump-log)');
  if (!fs.existsSync(data)) throw new CliUsageError(`no log folder at "${data}"`);
  for (const segment of EmbeddedLog.dumpSegments(data, topic, wholeNumber('partition', values.partition))) {
    if (values.json === true) io.out(JSON.stringify(segment));
    else printSegment(segment, io);
  }
}
