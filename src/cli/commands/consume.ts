import type { LogRecord, PartitionedLog } from '../../index.js';
import { chosenPartitions } from '../chosen-partitions.js';
import { noMorePositionals, parseCommand, positional, wholeNumber } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const CONSUME_USAGE = `consume <topic> [--partition N [--offset N]] [--max-records N] [--follow]
        [--isolation read_committed|read_uncommitted] [--print-key] [--print-metadata] [--json]
                                        prints records from the start of each partition (or
                                        --offset) to its end; --follow waits for more until Ctrl-C`;

/** Records fetched per partition per call. */
const FETCH = 500;
/** How long --follow waits before asking a caught-up log again. */
const FOLLOW_POLL_MS = 200;

type Format = { key: boolean; metadata: boolean; json: boolean };

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

function formatRecord(r: LogRecord, f: Format): string {
  if (f.json) {
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, text(v)]));
    return JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: text(r.key), value: text(r.value), headers });
  }
  const parts: string[] = [];
  if (f.metadata) parts.push(`${r.partition}:${r.offset} ${new Date(r.timestamp).toISOString()}`);
  if (f.key) parts.push(String(text(r.key)));
  parts.push(String(text(r.value)));
  return parts.join('\t');
}

/** kafka-console-consumer, without a group: reads partitions from given offsets and prints records. */
export async function consumeCommand(log: PartitionedLog, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    partition: { type: 'string' },
    offset: { type: 'string' },
    'max-records': { type: 'string' },
    isolation: { type: 'string' },
    follow: { type: 'boolean' },
    'print-key': { type: 'boolean' },
    'print-metadata': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const topic = positional(positionals, 0, 'topic name');
  noMorePositionals(positionals, 1);
  const isolation = values.isolation ?? 'read_committed';
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') throw new CliUsageError(`--isolation is read_committed or read_uncommitted, got "${isolation}"`);
  const partition = wholeNumber('partition', values.partition);
  const offset = wholeNumber('offset', values.offset);
  if (offset !== undefined && partition === undefined) throw new CliUsageError('--offset needs --partition (offsets are per partition)');
  const max = wholeNumber('max-records', values['max-records'], 1) ?? Infinity;
  const format: Format = { key: values['print-key'] === true, metadata: values['print-metadata'] === true, json: values.json === true };

  const description = await log.describeTopic(topic);
  const partitions = chosenPartitions(description, partition);
  const positions = new Map(partitions.map((p) => [p.partition, offset ?? p.startOffset]));
  let interrupted = false;
  void io.interrupted.then(() => (interrupted = true));
  let printed = 0;
  while (printed < max && !interrupted) {
    let got = 0;
    for (const [p, position] of positions) {
      const records = await log.fetch({ topic, partition: p, offset: position, maxRecords: Math.min(FETCH, max - printed), isolation });
      for (const r of records) io.out(formatRecord(r, format));
      printed += records.length;
      got += records.length;
      if (records.length > 0) positions.set(p, records[records.length - 1]!.offset + 1);
      if (printed >= max) break;
    }
    if (got > 0) continue;
    if (values.follow !== true) break;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS)), io.interrupted]);
  }
}
