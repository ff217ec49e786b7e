import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog, type LogRecord } from '../../../src/index.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { readAll } from '../../helpers/read-all.js';

const latestPerKey = (records: LogRecord[]) => {
  const latest = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) latest.set(r.key!.toString(), { offset: r.offset, value: r.value?.toString() ?? null });
  return latest;
};

describe('EmbeddedLog compaction', () => {
  it('property: keeps the newest value of every key at its offset, and each key once in compacted segments', async () => {
    const write = fc.record({ key: fc.integer({ min: 0, max: 12 }), value: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { freq: 6 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(write, { minLength: 1, maxLength: 15 }), { minLength: 1, maxLength: 25 }), fc.boolean(), async (calls, reopen) => {
        const dir = tempDir();
        const activeBase = () => Math.max(...fs.readdirSync(path.join(dir, 'topics', 'c', '0')).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, -4))));
        let log = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
        // deleteRetentionMs large: tombstones stay, so "newest per key" is exact including deletes.
        await log.createTopic('c', { cleanupPolicy: 'compact', segmentBytes: 1024, deleteRetentionMs: 3_600_000 });
        for (const call of calls) {
          await log.produce(call.map((w) => ({ topic: 'c', partition: 0, key: Buffer.from(`key-${w.key}`), value: w.value === null ? null : Buffer.from(w.value) })));
        }
        const before = await readAll(log, 'c');
        const end = (await log.describeTopic('c')).partitions[0]!.endOffset;
        const compactedUpTo = activeBase();
        await log.runMaintenance();
        if (reopen) {
          await log.close();
          log = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
        }
        const after = await readAll(log, 'c');
        expect(latestPerKey(after)).toEqual(latestPerKey(before));
        expect((await log.describeTopic('c')).partitions[0]!.endOffset).toBe(end);
        const offsets = after.map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        const closedKeys = after.filter((r) => r.offset < compactedUpTo).map((r) => r.key!.toString());
        expect(new Set(closedKeys).size).toBe(closedKeys.length);
        // Every record dropped had a newer record of its key.
        const kept = new Set(offsets);
        const latest = latestPerKey(before);
        for (const r of before) if (!kept.has(r.offset)) expect(latest.get(r.key!.toString())!.offset).toBeGreaterThan(r.offset);
        await log.close();
      }),
      { numRuns: 30 },
    );
  });

  it('drops aborted transactional records and leaves open transactions alone', async () => {
    const log = await EmbeddedLog.open(tempDir(), { fsync: 'never', maintenanceIntervalMs: 0 });
    await log.createTopic('c', { cleanupPolicy: 'compact', segmentBytes: 1024 });
    const aborted = await log.transaction('a');
    await aborted.produce([{ topic: 'c', partition: 0, key: Buffer.from('k'), value: Buffer.from('aborted') }]);
    await aborted.abort();
    for (let i = 0; i < 60; i++) await log.produce([{ topic: 'c', partition: 0, key: Buffer.from(`f${i % 4}`), value: Buffer.from('x'.repeat(30)) }]);
    const open = await log.transaction('o');
    await open.produce([{ topic: 'c', partition: 0, key: Buffer.from('f0'), value: Buffer.from('open') }]);
    for (let i = 0; i < 60; i++) await log.produce([{ topic: 'c', partition: 0, key: Buffer.from(`g${i % 4}`), value: Buffer.from('y'.repeat(30)) }]);
    const removed = (await log.runMaintenance()).compactedRecords;
    expect(removed).toBeGreaterThan(0);
    const uncommitted = [];
    let offset = 0;
    for (;;) {
      const batch = await log.fetch({ topic: 'c', partition: 0, offset, isolation: 'read_uncommitted' });
      if (batch.length === 0) break;
      uncommitted.push(...batch);
      offset = batch[batch.length - 1]!.offset + 1;
    }
    const valuesSeen = uncommitted.map((r) => r.value!.toString());
    expect(valuesSeen).not.toContain('aborted');
    expect(valuesSeen).toContain('open');
    await open.commit();
    expect((await readAll(log, 'c')).map((r) => r.value!.toString())).toContain('open');
    await log.close();
  });
});
