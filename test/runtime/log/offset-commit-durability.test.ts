import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Every fsync is recorded by the file it syncs, in the order it was asked for.
const synced: string[] = [];
vi.mock('../../../src/runtime/log/file-format.js', async (original) => {
  const real = await original<typeof import('../../../src/runtime/log/file-format.js')>();
  return {
    ...real,
    fsyncAsync: (fd: number) => {
      synced.push(path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)));
      return real.fsyncAsync(fd);
    },
  };
});

const { EmbeddedLog } = await import('../../../src/runtime/log/embedded-log.js');

describe("EmbeddedLog's offset commit under fsync 'commit'", () => {
  it('fsyncs the records produced before it ahead of the offsets, so a power loss cannot keep the offsets and drop the records', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-offset-durability-'));
    const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0 });
    try {
      await log.createTopic('in', { partitions: 1 });
      await log.createTopic('out', { partitions: 2 });
      // What an at_least_once app does: outputs first, then the offsets of the inputs behind them.
      await log.produce([{ topic: 'out', partition: 1, key: Buffer.from('k'), value: Buffer.from('v') }]);
      synced.length = 0;
      await log.commitOffsets('app', [{ topic: 'in', partition: 0, offset: 1 }]);
      const output = synced.indexOf('00000000000000000000.log');
      const offsets = synced.lastIndexOf('coordinator.log');
      expect(output).toBeGreaterThanOrEqual(0);
      expect(offsets).toBeGreaterThan(output);
      // Nothing new since: the next commit fsyncs only the journal.
      synced.length = 0;
      await log.commitOffsets('app', [{ topic: 'in', partition: 0, offset: 1 }]);
      expect(synced).toEqual(['coordinator.log']);
    } finally {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
