import type { PartitionedLog, ProducerRecord } from '../../index.js';
import { noMorePositionals, parseCommand, positional, wholeNumber } from '../cli-args.js';
import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../cli-usage-error.js';

export const PRODUCE_USAGE = `produce <topic> [--key-separator S] [--partition N]
                                        one record per line of standard input (UTF-8); with
                                        --key-separator, the text before its first S is the key`;

/** Records sent to the log per call. */
const BATCH = 1000;

/** kafka-console-producer: each line of standard input becomes a record. */
export async function produceCommand(log: PartitionedLog, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommand(args, { 'key-separator': { type: 'string' }, partition: { type: 'string' } });
  const topic = positional(positionals, 0, 'topic name');
  noMorePositionals(positionals, 1);
  const separator = values['key-separator'];
  if (separator === '') throw new CliUsageError('--key-separator cannot be empty');
  const partition = wholeNumber('partition', values.partition);
  await log.describeTopic(topic); // an unknown topic fails before any input is read
  let batch: ProducerRecord[] = [];
  let produced = 0;
  let lineNumber = 0;
  const send = async () => {
    if (batch.length > 0) produced += (await log.produce(batch)).length;
    batch = [];
  };
  for await (const line of io.lines()) {
    lineNumber++;
    let key: Buffer | null = null;
    let value = line;
    if (separator !== undefined) {
      const at = line.indexOf(separator);
      if (at < 0) {
        await send(); // the lines before it are good: they are kept
        throw new CliUsageError(`line ${lineNumber} has no key separator ${JSON.stringify(separator)}; the ${produced} records before it were produced`);
      }
      key = Buffer.from(line.slice(0, at));
      value = line.slice(at + separator.length);
    }
    batch.push({ topic, key, value: Buffer.from(value), ...(partition !== undefined && { partition }) });
    if (batch.length >= BATCH) await send();
  }
  await send();
  io.out(`produced ${produced} record${produced === 1 ? '' : 's'} to ${topic}`);
}
