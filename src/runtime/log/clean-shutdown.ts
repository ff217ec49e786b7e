import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from './file-format.js';

/**
 * The clean-shutdown marker (Kafka's `.kafka_cleanshutdown`): a file close() writes once every
 * partition is synced and closed. Opening a log after a clean shutdown trusts the active
 * segments' indexes as it does for older segments, instead of reading and checksumming every
 * byte of them; fetches still check each batch's checksum, so a bit flipped at rest is raised
 * as CorruptRecordError rather than served.
 */
const MARKER = 'clean-shutdown';

/**
 * Whether the last stop was clean. The marker is removed, durably, before the log is used: a crash
 * from here on must find it gone, so the next open verifies the segments it may have torn.
 */
export async function takeCleanShutdownMarker(dir: string): Promise<boolean> {
  const file = path.join(dir, MARKER);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file);
  await fsyncDir(dir);
  return true;
}

/** Records a clean stop; call once the log's files are synced and closed. */
export async function writeCleanShutdownMarker(dir: string): Promise<void> {
  const fd = fs.openSync(path.join(dir, MARKER), 'w');
  fs.closeSync(fd);
  await fsyncDir(dir);
}
