import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// fsync made controllable: each call waits until the test opens the gate, then fails as a real
// fsync would if its file was closed meanwhile.
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
vi.mock('../../../src/runtime/log/file-format.js', async (original) => ({
  ...(await original<typeof import('../../../src/runtime/log/file-format.js')>()),
  fsyncAsync: (fd: number) => gate.then(() => void fs.fstatSync(fd)),
}));

const { Segment } = await import('../../../src/runtime/log/segment.js');
const { PartitionLog } = await import('../../../src/runtime/log/partition-log.js');
const { encodeBatch } = await import('../../../src/runtime/log/record-batch.js');

/** A new segment in a new folder, holding one record not yet synced. */
function segmentWithOneRecord(folderPrefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const segment = Segment.create(dir, 0);
  const record = { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 };
  const { batch, lastOffset, maxTimestamp } = encodeBatch([record], null, 24, 0, 0, 1);
  segment.append(Buffer.from(batch), 0, lastOffset, 0, maxTimestamp);
  return { dir, segment };
}

describe('syncing a segment or a partition', () => {
  it('makes a caller with nothing new to sync wait for the sync in flight, which covers its writes', async () => {
    const { dir, segment } = segmentWithOneRecord('tributary-segment-sync-');
    gate = new Promise((resolve) => (openGate = resolve));
    let firstDone = false;
    let secondDone = false;
    // Two transactions that both wrote here commit at once: the second finds the segment clean.
    const first = segment.sync().then(() => (firstDone = true));
    const second = segment.sync().then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([firstDone, secondDone]).toEqual([false, false]);
    openGate();
    await Promise.all([first, second]);
    expect([firstDone, secondDone]).toEqual([true, true]);
    // Nothing written and nothing in flight: resolves at once.
    await segment.sync();
    segment.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes a partition sync wait for a sync in flight (another transaction commits), not only for new writes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-partition-sync-'));
    const partition = PartitionLog.create(dir, 't', 0, { segmentBytes: 1 << 20 });
    await partition.sync();
    partition.append([{ topic: 't', key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1 }], 24, 1, 1);
    partition.append([{ topic: 't', key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 1 }], 24, 2, 1);
    gate = new Promise((resolve) => (openGate = resolve));
    let secondDone = false;
    const first = partition.sync();
    const second = partition.sync().then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondDone).toBe(false);
    openGate();
    await Promise.all([first, second]);
    expect(secondDone).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the files of a removed segment (retention, compaction) open until its sync in flight is done', async () => {
    const { dir, segment } = segmentWithOneRecord('tributary-segment-remove-');
    gate = new Promise((resolve) => (openGate = resolve));
    const syncing = segment.sync();
    segment.remove();
    expect(fs.existsSync(segment.logPath)).toBe(false);
    openGate();
    await expect(syncing).resolves.toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
