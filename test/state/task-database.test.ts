import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StateStoreError } from '../../src/index.js';
import { TaskDatabase } from '../../src/state/internals/task-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const key = (i: number) => Buffer.from(`key-${String(i).padStart(4, '0')}`);

/**
 * A database holding 200 keys of 1 KB (several of LevelDB's 32 KB log blocks) at checkpoint 1,
 * then one more key at checkpoint 2, as a crash right after would leave it: everything still in
 * its write-ahead log (a copy of the open database's folder; a clean close empties the log).
 */
async function filledDatabase(): Promise<string> {
  const dir = tempDir('tributary-task-db-');
  const db = await TaskDatabase.open(dir, 'fail');
  const backing = db.backing('counts');
  await backing.write(Array.from({ length: 200 }, (_, i) => ({ key: key(i), value: Buffer.alloc(1024, i % 256), timestamp: 0 })), 1);
  await backing.write([{ key: key(999), value: Buffer.from('last'), timestamp: 0 }], 2);
  const crashed = tempDir('tributary-task-db-crashed-');
  fs.cpSync(dir, crashed, { recursive: true });
  await db.close();
  return crashed;
}

function writeAheadLog(dir: string): string {
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.log'));
  if (file === undefined) throw new Error(`no write-ahead log in ${dir}`);
  return path.join(dir, file);
}

/** Overwrites bytes inside the first of the log's blocks: records there fail their checksum, later blocks are intact. */
function damageMiddle(dir: string): void {
  const file = writeAheadLog(dir);
  const bytes = fs.readFileSync(file);
  expect(bytes.length).toBeGreaterThan(3 * 32 * 1024);
  bytes.fill(0xa5, 2_000, 2_100);
  fs.writeFileSync(file, bytes);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a task database whose write-ahead log is damaged', () => {
  it('is emptied for its stores to restore from their changelogs, where LevelDB would open it with writes missing under a later checkpoint', async () => {
    const dir = await filledDatabase();
    damageMiddle(dir);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const db = await TaskDatabase.open(dir, 'rebuild');
    const backing = db.backing('counts');
    // Nothing claims to be restored: no checkpoint, no data; restoration starts from the changelog's start.
    expect(backing.checkpoint).toBeUndefined();
    expect(backing.get(key(999))).toBeUndefined();
    expect(await backing.approximateCount()).toBe(0);
    expect(warn.mock.calls.join(' ')).toMatch(/damaged .*Corruption.*emptying it for its stores to restore from the log/);
    await db.close();
    // Rebuilt once: the next open finds a sound database.
    warn.mockClear();
    await (await TaskDatabase.open(dir, 'rebuild')).close();
    expect(warn).not.toHaveBeenCalled();
  });

  it('is refused with a StateStoreError when a store in it keeps no changelog, and stays refused on the next open', async () => {
    const dir = await filledDatabase();
    damageMiddle(dir);
    for (let attempt = 0; attempt < 2; attempt++) {
      const opened = TaskDatabase.open(dir, 'fail');
      await expect(opened).rejects.toThrow(StateStoreError);
      await expect(opened).rejects.toThrow(/damaged and lost committed writes .*Corruption.*Delete the folder/);
    }
    // Nothing deleted: the folder is the user's to inspect.
    expect(fs.existsSync(writeAheadLog(dir))).toBe(true);
  });

  it('opens with everything but the torn last write after a crash tore the log tail (not damage)', async () => {
    const dir = await filledDatabase();
    const file = writeAheadLog(dir);
    fs.truncateSync(file, fs.statSync(file).size - 3);
    const db = await TaskDatabase.open(dir, 'fail');
    const backing = db.backing('counts');
    expect(backing.checkpoint).toBe(1);
    expect(backing.get(key(199))).toEqual(Buffer.alloc(1024, 199));
    expect(backing.get(key(999))).toBeUndefined();
    await db.close();
  });
});

describe('a task database closed cleanly', () => {
  it('leaves its write-ahead log empty, so the next open replays nothing, and keeps every write', async () => {
    const dir = tempDir('tributary-task-db-');
    const db = await TaskDatabase.open(dir, 'fail');
    await db.backing('counts').write(Array.from({ length: 200 }, (_, i) => ({ key: key(i), value: Buffer.alloc(1024, i % 256), timestamp: 0 })), 1);
    await db.close();
    expect(fs.statSync(writeAheadLog(dir)).size).toBe(0);
    const reopened = await TaskDatabase.open(dir, 'fail');
    const backing = reopened.backing('counts');
    expect(backing.checkpoint).toBe(1);
    expect(backing.get(key(123))).toEqual(Buffer.alloc(1024, 123));
    expect(await backing.approximateCount()).toBe(200);
    await reopened.close();
  });
});
