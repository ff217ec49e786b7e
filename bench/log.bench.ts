// EmbeddedLog throughput: produce, fetch and transactional produce, next to raw fs I/O of the
// same bytes in the same run. Each phase runs ROUNDS times on fresh topics; the median is reported
// (this machine is shared and noisy; the spread is reported too).
import { execSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog, type ProducerRecord } from '../src/index.js';

const RECORDS = Number(process.env.BENCH_LOG_RECORDS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 1_000;
const PARTITIONS = 8;
const COMMIT_INTERVAL_MS = 100;

export type LogBenchResult = Record<string, number | string>;

function makeBatches(topic: string): ProducerRecord[][] {
  // 200 distinct batches, reused: enough variety for the partitioner, cheap to hold in memory.
  // Keys and values are slices of one random block, as Buffer.from(string) or a network read
  // would give, rather than 400k separately allocated ArrayBuffers.
  const block = crypto.randomBytes(200 * BATCH * 116);
  let at = 0;
  const slice = (n: number) => block.subarray(at, (at += n));
  return Array.from({ length: 200 }, () => Array.from({ length: BATCH }, () => ({ topic, key: slice(16), value: slice(100) })));
}

/** Times `work`, starting with no dirty pages so earlier phases' writeback does not bill this one. */
async function seconds(work: () => Promise<void>): Promise<number> {
  execSync('sync');
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

type Round = { produce: number; fetch: number; txn: number; commits: number; bytes: number; rawWrite: number; rawRead: number };

async function runRound(root: string, round: number): Promise<Round> {
  const dir = path.join(root, `log-${round}`);
  const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0 });
  await log.createTopic('plain', { partitions: PARTITIONS });
  await log.createTopic('txn', { partitions: PARTITIONS });
  const calls = RECORDS / BATCH;
  const plain = makeBatches('plain');
  const produce = await seconds(async () => {
    for (let i = 0; i < calls; i++) await log.produce(plain[i % plain.length]!);
  });
  plain.length = 0;

  let fetched = 0;
  const fetch = await seconds(async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      let offset = 0;
      for (;;) {
        const records = await log.fetch({ topic: 'plain', partition: p, offset, maxRecords: 5_000 });
        if (records.length === 0) break;
        fetched += records.length;
        offset = records[records.length - 1]!.offset + 1;
      }
    }
  });
  if (fetched !== RECORDS) throw new Error(`fetched ${fetched} of ${RECORDS}`);

  const txnBatches = makeBatches('txn');
  let commits = 0;
  const txn = await seconds(async () => {
    let i = 0;
    while (i < calls) {
      const t = await log.transaction('bench');
      const started = performance.now();
      while (i < calls && performance.now() - started < COMMIT_INTERVAL_MS) await t.produce(txnBatches[i++ % txnBatches.length]!);
      await t.commit();
      commits++;
    }
  });
  const bytes = segmentBytes(path.join(dir, 'topics', 'plain'));
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const raw = rawFs(path.join(root, 'raw.bin'), bytes);
  fs.rmSync(path.join(root, 'raw.bin'));
  return { produce, fetch, txn, commits, bytes, rawWrite: raw.writeSeconds, rawRead: raw.readSeconds };
}

export async function runLogBench(): Promise<LogBenchResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-log-'));
  try {
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await runRound(root, r));
    const rate = (pick: (r: Round) => number) => rounds.map((r) => RECORDS / pick(r)).sort((a, b) => a - b);
    const mbps = (pick: (r: Round) => number) => rounds.map((r) => r.bytes / 1e6 / pick(r)).sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
    const spread = (xs: number[]) => `${Math.round(xs[0]!)}..${Math.round(xs[xs.length - 1]!)}`;
    const produce = rate((r) => r.produce);
    const fetch = rate((r) => r.fetch);
    const txn = rate((r) => r.txn);
    const ratios = rounds.map((r) => r.produce / r.txn).sort((a, b) => a - b);
    return {
      recordsPerRound: RECORDS,
      rounds: ROUNDS,
      recordShape: '16-byte key, 100-byte value, batches of 1000, 8 partitions',
      produceRecordsPerSec: Math.round(median(produce)),
      produceRange: spread(produce),
      fetchRecordsPerSec: Math.round(median(fetch)),
      fetchRange: spread(fetch),
      transactionalProduceRecordsPerSec: Math.round(median(txn)),
      transactionalRange: spread(txn),
      transactionalCommitsPerRound: rounds[0]!.commits,
      transactionalVsPlain: round2(median(ratios)),
      segmentBytesPerRound: rounds[0]!.bytes,
      produceMBPerSec: round2(median(mbps((r) => r.produce))),
      transactionalMBPerSec: round2(median(mbps((r) => r.txn))),
      fetchMBPerSec: round2(median(mbps((r) => r.fetch))),
      rawAppendFsyncMBPerSec: round2(median(mbps((r) => r.rawWrite))),
      rawReadMBPerSec: round2(median(mbps((r) => r.rawRead))),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Raw fs baseline: append `bytes` in 138 KB writes with one fsync at the end, then read them back. */
function rawFs(file: string, bytes: number): { writeSeconds: number; readSeconds: number } {
  const chunk = crypto.randomBytes(138 * 1024);
  execSync('sync');
  const startWrite = process.hrtime.bigint();
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < bytes; written += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written), written);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const writeSeconds = Number(process.hrtime.bigint() - startWrite) / 1e9;
  const startRead = process.hrtime.bigint();
  const rfd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(chunk.length);
  for (let read = 0; read < bytes; read += chunk.length) fs.readSync(rfd, buf, 0, chunk.length, read);
  fs.closeSync(rfd);
  const readSeconds = Number(process.hrtime.bigint() - startRead) / 1e9;
  return { writeSeconds, readSeconds };
}

function segmentBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.log')) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
