import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, EmbeddedLog, type LogDamage } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const options = { fsync: 'never', maintenanceIntervalMs: 0 } as const;

/** A log with one topic of `calls` produce calls of 10 records each; returns the expected values. */
async function writeLog(dir: string, calls: number, segmentBytes = 64 * 1024 * 1024, fsync: 'never' | 'commit' = 'never'): Promise<string[]> {
  const log = await EmbeddedLog.open(dir, { ...options, fsync });
  await log.createTopic('t', { segmentBytes });
  const values: string[] = [];
  for (let c = 0; c < calls; c++) {
    const batch = Array.from({ length: 10 }, (_, i) => `value-${c}-${i}-${'z'.repeat(30)}`);
    await log.produce(batch.map((v) => ({ topic: 't', partition: 0, key: Buffer.from(`key-${c}`), value: Buffer.from(v) })));
    values.push(...batch);
  }
  await log.close();
  return values;
}

function segmentFiles(dir: string): string[] {
  const pdir = path.join(dir, 'topics', 't', '0');
  return fs.readdirSync(pdir).filter((n) => n.endsWith('.log')).sort().map((n) => path.join(pdir, n));
}

/** Flips one bit of the file past its 16-byte header, at a place picked by `where`; returns the position. */
function flipBit(file: string, where: number, bit: number): number {
  const bytes = fs.readFileSync(file);
  const position = 16 + (where % (bytes.length - 16));
  bytes[position] = bytes[position]! ^ (1 << bit);
  fs.writeFileSync(file, bytes);
  return position;
}

async function openReporting(dir: string): Promise<{ log: EmbeddedLog; damage: LogDamage[] }> {
  const damage: LogDamage[] = [];
  const log = await EmbeddedLog.open(dir, { ...options, onDamage: (d) => damage.push(d) });
  return { log, damage };
}

async function servedValues(log: EmbeddedLog): Promise<Map<number, string>> {
  return servedValuesInto(log, new Map());
}

/** Fetches every record into `served` (what was read stays there if a fetch throws). */
async function servedValuesInto(log: EmbeddedLog, served: Map<number, string>): Promise<Map<number, string>> {
  let offset = 0;
  for (;;) {
    const batch = await log.fetch({ topic: 't', partition: 0, offset });
    if (batch.length === 0) return served;
    for (const r of batch) served.set(r.offset, r.value!.toString());
    offset = batch[batch.length - 1]!.offset + 1;
  }
}

describe('EmbeddedLog with damaged files', () => {
  it('property: a bit flipped anywhere in the active segment is reported at open and never served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (where, bit) => {
        const dir = tempDir();
        const expected = await writeLog(dir, 6);
        const [file] = segmentFiles(dir);
        const position = flipBit(file!, where, bit);

        const { log, damage } = await openReporting(dir);
        expect(damage).toHaveLength(1);
        expect(damage[0]!.file).toBe(file);
        expect(damage[0]!.position).toBeLessThanOrEqual(position);
        const served = await servedValues(log);
        for (const [offset, value] of served) expect(value).toBe(expected[offset]);
        expect(served.size).toBeLessThan(expected.length);
        // The log goes on from the cut: new records get the next offsets and read back.
        const end = (await log.describeTopic('t')).partitions[0]!.endOffset;
        expect(end).toBe(served.size);
        const [meta] = await log.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('after') }]);
        expect(meta!.offset).toBe(end);
        await log.close();
      }),
      { numRuns: 25 },
    );
  });

  it('cuts a torn tail (a batch written only in part) and keeps everything before it', async () => {
    const dir = tempDir();
    const expected = await writeLog(dir, 5);
    const [file] = segmentFiles(dir);
    const size = fs.statSync(file!).size;
    fs.truncateSync(file!, size - 100);
    const { log, damage } = await openReporting(dir);
    expect(damage.map((d) => d.reason)).toEqual(['torn batch at the tail']);
    const served = await servedValues(log);
    expect([...served.values()]).toEqual(expected.slice(0, 40));
    await log.close();
  });

  it('refuses to serve a corrupt batch in an older segment, naming topic, partition and offset', async () => {
    const dir = tempDir();
    const expected = await writeLog(dir, 30, 2048);
    const files = segmentFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    const bytes = fs.readFileSync(files[1]!);
    bytes[100] = bytes[100]! ^ 0x10;
    fs.writeFileSync(files[1]!, bytes);

    const { log } = await openReporting(dir);
    const base = Number(path.basename(files[1]!, '.log'));
    const error = await log.fetch({ topic: 't', partition: 0, offset: base }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as Error).message).toContain(`t-0 offset ${base}`);
    // Other segments are still served, unchanged.
    const next = Number(path.basename(files[2]!, '.log'));
    const after = await log.fetch({ topic: 't', partition: 0, offset: next, maxRecords: 5 });
    expect(after.map((r) => r.value!.toString())).toEqual(expected.slice(next, next + 5));
    await log.close();
  });

  it('rebuilds a missing or garbled offset index from the segment', async () => {
    const dir = tempDir();
    const expected = await writeLog(dir, 30, 2048);
    const indexes = segmentFiles(dir).map((f) => f.replace(/\.log$/, '.index'));
    fs.rmSync(indexes[0]!);
    fs.writeFileSync(indexes[1]!, Buffer.alloc(64, 0xab));
    const { log } = await openReporting(dir);
    expect([...(await servedValues(log)).values()]).toEqual(expected);
    await log.close();
  });

  it('rebuilds the active segment\'s index after a crash (a commit does not fsync it): committed transactions stay visible, open ones not', async () => {
    const dir = tempDir();
    const log = await EmbeddedLog.open(dir, { ...options, fsync: 'commit' });
    await log.createTopic('t');
    const committed = await log.transaction('writer');
    await committed.produce(Array.from({ length: 20 }, (_, i) => ({ topic: 't', partition: 0, key: null, value: Buffer.from(`committed-${i}`) })));
    await committed.commit();
    const open = await log.transaction('other-writer');
    await open.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('never committed') }]);
    // The crash image: the folder as it is while the log is open, with the active index as an
    // fsync-less power cut may leave it (empty, or garbage where the entries were).
    for (const damageIndex of [(f: string) => fs.truncateSync(f, 0), (f: string) => fs.writeFileSync(f, Buffer.alloc(fs.statSync(f).size, 0x5a))]) {
      const crashed = tempDir();
      fs.cpSync(dir, crashed, { recursive: true });
      damageIndex(segmentFiles(crashed)[0]!.replace(/\.log$/, '.index'));
      const { log: reopened } = await openReporting(crashed);
      expect([...(await servedValues(reopened)).values()]).toEqual(Array.from({ length: 20 }, (_, i) => `committed-${i}`));
      await reopened.close();
    }
    await open.abort();
    await log.close();
  });

  it('cuts a torn entry off the coordinator journal and keeps the offsets committed before it', async () => {
    const dir = tempDir();
    const log = await EmbeddedLog.open(dir, options);
    await log.createTopic('t');
    await log.commitOffsets('g', [{ topic: 't', partition: 0, offset: 3 }]);
    await log.close();
    fs.appendFileSync(path.join(dir, 'coordinator.log'), Buffer.from([40, 0, 0, 0, 1, 2, 3]));
    const { log: reopened, damage } = await openReporting(dir);
    expect(damage.map((d) => d.reason)).toEqual(['torn or corrupt journal entry']);
    expect(await reopened.committedOffsets('g', 't')).toEqual([{ topic: 't', partition: 0, offset: 3 }]);
    await reopened.close();
  });
});

describe('EmbeddedLog after a clean shutdown', () => {
  const marker = (dir: string) => fs.existsSync(path.join(dir, 'clean-shutdown'));

  it('leaves a marker only when close synced the files, and takes it back at open', async () => {
    const synced = tempDir();
    await writeLog(synced, 3, undefined, 'commit');
    expect(marker(synced)).toBe(true);
    const log = await EmbeddedLog.open(synced, options);
    // Gone while open: a crash now must not pass for a clean stop.
    expect(marker(synced)).toBe(false);
    await log.close();
    expect(marker(synced)).toBe(false); // this close did not sync (fsync 'never')

    const unsynced = tempDir();
    await writeLog(unsynced, 3);
    expect(marker(unsynced)).toBe(false);
  });

  it('property: skips the checksum pass at open, yet a bit flipped at rest is raised at fetch, never served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (where, bit) => {
        const dir = tempDir();
        const expected = await writeLog(dir, 6, undefined, 'commit');
        flipBit(segmentFiles(dir)[0]!, where, bit);

        const { log, damage } = await openReporting(dir);
        expect(damage).toEqual([]);
        const served = new Map<number, string>();
        const error = await servedValuesInto(log, served).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CorruptRecordError);
        for (const [offset, value] of served) expect(value).toBe(expected[offset]);
        expect(served.size).toBeLessThan(expected.length);
        await log.close();
      }),
      { numRuns: 25 },
    );
  });

  it('checks the active segment again after a crash that follows a clean start', async () => {
    const dir = tempDir();
    await writeLog(dir, 3, undefined, 'commit');
    // 'always' writes the index entry with the batch: the crash image below has both.
    const log = await EmbeddedLog.open(dir, { ...options, fsync: 'always' });
    await log.produce([{ topic: 't', partition: 0, key: null, value: Buffer.from('after the clean start') }]);
    // What a crash leaves on disk: the folder as it is while the log is open.
    const crashed = tempDir();
    fs.cpSync(dir, crashed, { recursive: true });
    await log.close();
    // Data pages lost by a power cut while the index got out: the last batch's bytes are garbage.
    const [file] = segmentFiles(crashed);
    const bytes = fs.readFileSync(file!);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(file!, bytes);

    const { log: reopened, damage } = await openReporting(crashed);
    expect(damage).toHaveLength(1);
    expect((await servedValues(reopened)).size).toBe(30);
    await reopened.close();
  });
});
