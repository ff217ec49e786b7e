import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EmbeddedLog,
  InvalidConfigError,
  InvalidRecordError,
  InvalidTopicError,
  LogLockedError,
  OffsetOutOfRangeError,
  type EmbeddedLogOptions,
} from '../../../src/index.js';
import { readAll } from '../../helpers/read-all.js';
import { tempDir } from '../../helpers/temp-dir.js';

const b = (s: string) => Buffer.from(s);
const quiet: EmbeddedLogOptions = { fsync: 'never', maintenanceIntervalMs: 0 };

async function values(log: EmbeddedLog, topic: string, partition = 0): Promise<string[]> {
  return (await readAll(log, topic, partition)).map((r) => r.value?.toString() ?? '<null>');
}

describe('EmbeddedLog on disk', () => {
  it('keeps topics, records, committed offsets and committed transactions across a reopen', async () => {
    const dir = tempDir();
    const log = await EmbeddedLog.open(dir, quiet);
    await log.createTopic('orders', { partitions: 2 });
    await log.produce([{ topic: 'orders', partition: 1, key: b('k'), value: b('plain') }]);
    const txn = await log.transaction('tx');
    await txn.produce([{ topic: 'orders', partition: 1, key: b('k'), value: b('committed') }]);
    await txn.sendOffsets('g', [{ topic: 'orders', partition: 0, offset: 7 }]);
    await txn.commit();
    const open = await log.transaction('tx-open');
    await open.produce([{ topic: 'orders', partition: 1, key: b('k'), value: b('never-committed') }]);
    await log.close();

    const reopened = await EmbeddedLog.open(dir, quiet);
    expect(await reopened.listTopics()).toEqual(['orders']);
    expect(await values(reopened, 'orders', 1)).toEqual(['plain', 'committed']);
    expect(await reopened.committedOffsets('g', 'orders')).toEqual([{ topic: 'orders', partition: 0, offset: 7 }]);
    // The unfinished transaction was aborted: new records after it are visible, it never is.
    await reopened.produce([{ topic: 'orders', partition: 1, key: b('k'), value: b('later') }]);
    expect(await values(reopened, 'orders', 1)).toEqual(['plain', 'committed', 'later']);
    await reopened.close();
  });

  it('rolls segments and serves a fetch from any offset through the offset index', async () => {
    const dir = tempDir();
    const log = await EmbeddedLog.open(dir, quiet);
    await log.createTopic('t', { segmentBytes: 4096 });
    for (let call = 0; call < 40; call++) {
      await log.produce(Array.from({ length: 7 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: b(`${call * 7 + i}`.padEnd(40, '.')) })));
    }
    const segments = fs.readdirSync(path.join(dir, 'topics', 't', '0')).filter((n) => n.endsWith('.log'));
    expect(segments.length).toBeGreaterThanOrEqual(4);
    for (const offset of [0, 1, 6, 7, 100, 150, 279]) {
      const [first] = await log.fetch({ topic: 't', partition: 0, offset, maxRecords: 1 });
      expect(first?.offset).toBe(offset);
      expect(first?.value?.toString().replace(/\.+$/, '')).toBe(String(offset));
    }
    await log.close();
    const reopened = await EmbeddedLog.open(dir, quiet);
    expect((await values(reopened, 't')).length).toBe(280);
    await reopened.close();
  });

  it('deletes whole old segments by size and by time, moving the start offset', async () => {
    const dir = tempDir();
    let now = 1_000_000;
    const log = await EmbeddedLog.open(dir, { ...quiet, clock: () => now });
    await log.createTopic('by-size', { segmentBytes: 2048, retentionBytes: 4096 });
    await log.createTopic('by-time', { segmentBytes: 2048, retentionMs: 60_000 });
    for (let i = 0; i < 100; i++) {
      await log.produce([
        { topic: 'by-size', partition: 0, key: null, value: b('x'.repeat(50)) },
        { topic: 'by-time', partition: 0, key: null, value: b('y'.repeat(50)), timestamp: now + i },
      ]);
    }
    const result = await log.runMaintenance();
    expect(result.deletedSegments).toBeGreaterThan(0);
    const size = (await log.describeTopic('by-size')).partitions[0]!;
    expect(size.startOffset).toBeGreaterThan(0);
    expect(size.endOffset).toBe(100);
    await expect(log.fetch({ topic: 'by-size', partition: 0, offset: 0 })).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    expect((await values(log, 'by-size')).length).toBe(100 - size.startOffset);
    expect((await log.describeTopic('by-time')).partitions[0]!.startOffset).toBe(0);
    now += 120_000;
    await log.runMaintenance();
    const time = (await log.describeTopic('by-time')).partitions[0]!;
    expect(time.startOffset).toBeGreaterThan(0);
    expect(await values(log, 'by-time')).toHaveLength(100 - time.startOffset);
    await log.close();
  });

  it('keeps a tombstone through compaction until deleteRetentionMs has passed', async () => {
    const dir = tempDir();
    let now = 0;
    const log = await EmbeddedLog.open(dir, { ...quiet, clock: () => now });
    await log.createTopic('c', { cleanupPolicy: 'compact', segmentBytes: 1024, deleteRetentionMs: 10_000 });
    await log.produce([{ topic: 'c', partition: 0, key: b('gone'), value: b('v1') }]);
    await log.produce([{ topic: 'c', partition: 0, key: b('gone'), value: null }]);
    for (let i = 0; i < 40; i++) await log.produce([{ topic: 'c', partition: 0, key: b(`filler-${i % 3}`), value: b('f'.repeat(30)) }]);
    await log.runMaintenance();
    const keysAfterFirst = (await log.fetch({ topic: 'c', partition: 0, offset: 0 })).map((r) => [r.key!.toString(), r.value?.toString() ?? null]);
    expect(keysAfterFirst).toContainEqual(['gone', null]);
    expect(keysAfterFirst).not.toContainEqual(['gone', 'v1']);
    now += 10_000;
    await log.runMaintenance();
    const keysAfterDelay = (await log.fetch({ topic: 'c', partition: 0, offset: 0 })).map((r) => r.key!.toString());
    expect(keysAfterDelay).not.toContain('gone');
    await log.close();
  });

  it('rejects bad records and topic names with typed errors and writes nothing', async () => {
    const log = await EmbeddedLog.open(tempDir(), quiet);
    await log.createTopic('compacted', { cleanupPolicy: 'compact' });
    await expect(log.produce([{ topic: 'compacted', key: null, value: b('v') }])).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(
      log.produce([
        { topic: 'compacted', key: b('ok'), value: b('v') },
        { topic: 'compacted', key: b('bad'), value: 'not a buffer' as unknown as Buffer },
      ]),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    expect((await log.describeTopic('compacted')).partitions[0]!.endOffset).toBe(0);
    for (const name of ['', 'has space', '..', 'x'.repeat(250), 'a/b']) {
      await expect(log.createTopic(name)).rejects.toBeInstanceOf(InvalidTopicError);
    }
    await log.close();
  });

  it('refuses a path that cannot be a log folder with InvalidConfigError naming it, and leaves the file there alone', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'data');
    const error = await EmbeddedLog.open(file, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).option).toBe('dir');
    expect((error as Error).message).toContain(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('data');
    await expect(EmbeddedLog.open(path.join(file, 'below'), quiet)).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(EmbeddedLog.open('', quiet)).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(EmbeddedLog.open(undefined as unknown as string, quiet)).rejects.toBeInstanceOf(InvalidConfigError);
  });

  it('refuses options out of range with InvalidConfigError naming the option, and creates no folder', async () => {
    const dir = path.join(tempDir(), 'never-made');
    const bad: [EmbeddedLogOptions, string][] = [
      [{ fsync: 'sometimes' as 'never' }, 'fsync'],
      [{ maintenanceIntervalMs: -1 }, 'maintenanceIntervalMs'],
      [{ maintenanceIntervalMs: '30000' as unknown as number }, 'maintenanceIntervalMs'],
      [{ clock: 5 as unknown as () => number }, 'clock'],
      [{ onDamage: 'warn' as unknown as () => void }, 'onDamage'],
    ];
    for (const [options, option] of bad) {
      const error = await EmbeddedLog.open(dir, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).option).toBe(option);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a second open of the same folder, in this process and from another', async () => {
    const dir = tempDir();
    const log = await EmbeddedLog.open(dir, quiet);
    await expect(EmbeddedLog.open(dir, quiet)).rejects.toBeInstanceOf(LogLockedError);
    await log.close();

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'hold-lock.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const error = await EmbeddedLog.open(dir, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogLockedError);
    expect((error as Error).message).toContain(String(child.pid));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The killed holder's lock is stale and is taken over.
    const again = await EmbeddedLog.open(dir, quiet);
    await again.close();
  });
});
