import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The journal's fsyncs, counted and made controllable (file-format's own atomic replace keeps the real one).
let fsyncs = 0;
let fsyncImpl: () => Promise<void> = () => Promise.resolve();
vi.mock('../../../src/runtime/log/file-format.js', async (original) => ({
  ...(await original<typeof import('../../../src/runtime/log/file-format.js')>()),
  fsyncAsync: () => {
    fsyncs++;
    return fsyncImpl();
  },
}));

const { CoordinatorLog } = await import('../../../src/runtime/log/coordinator-log.js');

const dirs: string[] = [];
function journalDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-journal-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  fsyncImpl = () => Promise.resolve();
  fsyncs = 0;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const offsets = (offset: number) => [{ groupId: 'g', offsets: [{ topic: 't', partition: 0, offset }] }];
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the coordinator journal', () => {
  it('keeps a transaction committed while the journal is being compacted', async () => {
    const dir = journalDir();
    const journal = CoordinatorLog.open(dir, []);
    await journal.commitTransaction(1, offsets(10), true);
    // The commit starts while the rewrite is on its way to disk: written to the file being
    // replaced, it would be gone after a restart though its caller was told it was durable.
    const compaction = journal.compact(1);
    const commit = journal.commitTransaction(2, offsets(20), true);
    await Promise.all([compaction, commit]);
    journal.close();
    const reopened = CoordinatorLog.open(dir, []);
    expect(reopened.outcome(2)).toBe('commit');
    expect(reopened.committed('g', 't')?.get(0)).toBe(20);
    reopened.close();
  });

  it('makes transactions committing together share fsyncs: one in flight, one queued behind it', async () => {
    const journal = CoordinatorLog.open(journalDir(), []);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fsyncImpl = () => gate;
    const done: number[] = [];
    const commits = [1, 2, 3, 4].map((seq) => journal.commitTransaction(seq, offsets(seq), true).then(() => done.push(seq)));
    await tick();
    expect(fsyncs).toBe(1);
    expect(done).toEqual([]);
    release();
    await Promise.all(commits);
    expect(done.sort()).toEqual([1, 2, 3, 4]);
    expect(fsyncs).toBe(2);
    journal.close();
  });

  it('fails only the commits a failed fsync was to cover; the queued fsync still runs', async () => {
    const journal = CoordinatorLog.open(journalDir(), []);
    let fail: (e: Error) => void = () => undefined;
    fsyncImpl = () => new Promise<void>((_resolve, reject) => (fail = reject));
    const first = journal.commitTransaction(1, offsets(1), true);
    fsyncImpl = () => Promise.resolve();
    const second = journal.commitTransaction(2, offsets(2), true);
    fail(new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    await expect(second).resolves.toBeUndefined();
    expect(fsyncs).toBe(2);
    journal.close();
  });
});
