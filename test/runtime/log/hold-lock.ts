// Opens a log folder and holds it until killed (used by the lock test).
import { EmbeddedLog } from '../../../src/index.js';

const log = await EmbeddedLog.open(process.argv[2]!, { fsync: 'never', maintenanceIntervalMs: 0 });
process.stdout.write('ready\n');
setInterval(() => void log, 1_000);
