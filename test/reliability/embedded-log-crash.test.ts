import { spawn } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { readAll } from '../helpers/read-all.js';

const KILLS = 50;

type Acks = { plain: { partition: number; offset: number; count: number; prefix: string }[]; committed: string[]; aborted: string[] };

/** Runs the writer until `delayMs` after it is ready, then SIGKILLs it; returns what it acknowledged. */
async function runAndKill(dir: string, runId: string, delayMs: number): Promise<Acks> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'crash-writer.ts'), dir, runId], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks: Acks = { plain: [], committed: [], aborted: [] };
  let buffered = '';
  let ready: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [kind, a, b2, c, d] = line.split(' ');
      if (kind === 'ready') ready();
      else if (kind === 'P') acks.plain.push({ partition: Number(a), offset: Number(b2), count: Number(c), prefix: d! });
      else if (kind === 'C') acks.committed.push(a!);
      else if (kind === 'A') acks.aborted.push(a!);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([isReady, exited]);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  await exited;
  return acks;
}

describe('EmbeddedLog under SIGKILL', () => {
  it(`keeps every acknowledged write and never shows aborted or unfinished transactions (${KILLS} kills)`, async () => {
    const dir = tempDir('tributary-crash-');
    const delays = fc.sample(fc.integer({ min: 5, max: 120 }), { numRuns: KILLS, seed: 42 });
    const everCommitted = new Set<string>();
    const everAborted = new Set<string>();
    const plainAcked: Acks['plain'] = [];
    for (let run = 0; run < KILLS; run++) {
      const acks = await runAndKill(dir, `r${run}`, delays[run]!);
      acks.committed.forEach((t) => everCommitted.add(t));
      acks.aborted.forEach((t) => everAborted.add(t));
      plainAcked.push(...acks.plain);

      const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0, onDamage: () => undefined });
      const committed = await Promise.all([0, 1, 2].map((p) => readAll(log, 'crash', p, 'read_committed')));
      const uncommitted = await Promise.all([0, 1, 2].map((p) => readAll(log, 'crash', p, 'read_uncommitted')));

      // Offsets are intact: dense from 0 in read_uncommitted, increasing in read_committed.
      for (const records of uncommitted) expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
      for (const records of committed) {
        for (let i = 1; i < records.length; i++) expect(records[i]!.offset).toBeGreaterThan(records[i - 1]!.offset);
      }
      // Every acknowledged plain produce is there, at the offsets it was acknowledged with.
      const offsetsByPrefix = new Map<string, number[]>();
      for (const records of committed) {
        for (const r of records) {
          const prefix = r.value!.toString().replace(/-\d+$/, '');
          offsetsByPrefix.set(prefix, [...(offsetsByPrefix.get(prefix) ?? []), r.offset]);
        }
      }
      for (const ack of plainAcked) {
        expect(offsetsByPrefix.get(ack.prefix), `plain produce ${ack.prefix}`).toEqual(Array.from({ length: ack.count }, (_, i) => ack.offset + i));
      }
      // Transactions are all or nothing; acknowledged commits are all there; aborts never are.
      const txnRecords = new Map<string, number>();
      for (const records of committed) {
        for (const r of records) {
          const value = r.value!.toString();
          const match = /^(r\d+-t\d+)-\d+$/.exec(value);
          if (match) txnRecords.set(match[1]!, (txnRecords.get(match[1]!) ?? 0) + 1);
        }
      }
      for (const [txn, count] of txnRecords) {
        expect(count, `transaction ${txn} is partly visible`).toBe(6);
        expect(everAborted.has(txn), `aborted transaction ${txn} is visible`).toBe(false);
        expect(await log.committedOffsets(`group-${txn}`, 'crash')).toEqual([{ topic: 'crash', partition: 0, offset: 1 }]);
      }
      for (const txn of everCommitted) expect(txnRecords.get(txn), `committed transaction ${txn} is missing`).toBe(6);
      for (const txn of everAborted) expect(await log.committedOffsets(`group-${txn}`, 'crash')).toEqual([]);
      await log.close();
    }
    expect(plainAcked.length).toBeGreaterThan(KILLS);
    expect(everCommitted.size).toBeGreaterThan(KILLS / 2);
  }, 180_000);
});
