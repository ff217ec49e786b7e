import fs from 'node:fs';
import { EmbeddedLog, KafkaLog, type PartitionedLog } from '../index.js';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';

/** Where the CLI finds the log: an EmbeddedLog folder (`--data`) or Kafka brokers (`--bootstrap`). */
export type LogLocation = { data?: string; bootstrap?: string };

/**
 * Opens the log the options name. An EmbeddedLog folder is locked while open, so the CLI cannot
 * open the folder of a running app (LogLockedError says so). A folder that does not exist is
 * refused unless `create` (topics create): a mistyped path must not start an empty log.
 */
export async function openLog(location: LogLocation, io: CliIo, create = false): Promise<PartitionedLog> {
  if ((location.data === undefined) === (location.bootstrap === undefined)) {
    throw new CliUsageError('name the log: --data <folder> (EmbeddedLog) or --bootstrap <host:port,...> (Kafka)');
  }
  if (location.bootstrap !== undefined) return new KafkaLog({ brokers: location.bootstrap.split(',').map((b) => b.trim()), clientId: 'tributary-cli' });
  const dir = location.data!;
  if (!create && !fs.existsSync(dir)) throw new CliUsageError(`no log folder at "${dir}" (topics create makes one)`);
  return EmbeddedLog.open(dir, {
    maintenanceIntervalMs: 0,
    onDamage: (d) => io.err(`damage cut off at open: ${d.file} from byte ${d.position}: ${d.reason}`),
  });
}
