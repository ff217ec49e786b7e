import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog } from '../../src/index.js';
import { partitionedLogContract } from './partitioned-log.contract.js';

partitionedLogContract('EmbeddedLog', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-contract-'));
  const log = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
  return {
    log,
    dispose: async () => {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
