import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { EmbeddedLog } from '../../src/index.js';

const open: { log: EmbeddedLog; dir: string }[] = [];

/** An EmbeddedLog (no fsync) in a fresh temp folder, closed and removed when the test ends or at disposeTempLogs. */
export async function openTempLog(prefix = 'tributary-log-'): Promise<EmbeddedLog> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const log = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
  if (open.length === 0) onTestFinished(disposeTempLogs);
  open.push({ log, dir });
  return log;
}

/** Closes and removes every log openTempLog opened so far (a property test's runs each start clean). */
export async function disposeTempLogs(): Promise<void> {
  for (const { log, dir } of open.splice(0)) {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
