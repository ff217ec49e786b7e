import fs from 'node:fs';
import { fsyncDir } from './file-format.js';
import type { LogRecord } from './partitioned-log.js';
import type { PartitionLog } from './partition-log.js';
import { batchChecksumHolds, decodeRecords, encodeBatch, readBatchHeader, recordSize } from './record-batch.js';
import { Segment, type SegmentDamage } from './segment.js';
import { CorruptRecordError } from './errors.js';

/** Records per batch in compacted output. */
const OUTPUT_BATCH_RECORDS = 1000;

type StoredRecord = LogRecord & { appendTime: number };

/**
 * Compacts a partition's closed segments that lie wholly below its last stable offset: keeps,
 * per key, only the record with the highest offset; drops aborted records; drops a tombstone once
 * it has been in the log for `deleteRetentionMs`, so readers that were behind still saw it.
 * Each segment is rewritten to `.cleaned` files, fsynced, then renamed over the original (see
 * finishOrDropCompaction for the crash cases). Kept records keep their offsets.
 */
export async function compactPartition(log: PartitionLog, now: number, deleteRetentionMs: number): Promise<number> {
  const lso = log.lastStableOffset;
  const closed: Segment[] = [];
  for (const s of log.segments.slice(0, -1)) {
    if (s.nextOffset > lso) break;
    closed.push(s);
  }
  if (closed.length === 0) return 0;
  const latest = new Map<string, number>();
  const contents = closed.map((s) => readSegment(log, s));
  for (const records of contents) for (const r of records) latest.set(r.key!.toString('latin1'), r.offset);

  let removed = 0;
  for (let i = 0; i < closed.length; i++) {
    const segment = closed[i]!;
    const records = contents[i]!;
    const stored = segment.entries.reduce((n, e) => n + (e.lastOffset - e.firstOffset + 1), 0);
    const kept = records.filter(
      (r) =>
        latest.get(r.key!.toString('latin1')) === r.offset &&
        !(r.value === null && r.appendTime + deleteRetentionMs <= now),
    );
    if (kept.length === stored) continue;
    removed += stored - kept.length;
    const replacement = await rewriteSegment(segment, kept);
    log.replaceSegments(log.segments.indexOf(segment), 1, [replacement]);
  }
  return removed;
}

/** Every committed record of a segment, checksums verified. Keys are never null on compacted topics. */
function readSegment(log: PartitionLog, segment: Segment): StoredRecord[] {
  const out: StoredRecord[] = [];
  if (segment.entries.length === 0) return out;
  const buf = segment.readBatches(0, segment.entries.length);
  let pos = 0;
  for (const e of segment.entries) {
    const header = readBatchHeader(buf, pos);
    const batch: LogRecord[] = [];
    const intact =
      header !== null &&
      batchChecksumHolds(buf, pos, e.length) &&
      decodeRecords(buf, pos, header, log.topic, log.partition, 0, Infinity, batch);
    if (!intact) {
      throw new CorruptRecordError(`Cannot compact ${log.topic}-${log.partition}: corrupt batch at offset ${e.firstOffset} (${segment.logPath})`);
    }
    if (!(e.txnSeq > 0 && log.isAborted(e.txnSeq))) {
      for (const r of batch) if (r.key !== null) out.push({ ...r, appendTime: header.appendTime });
    }
    pos += e.length;
  }
  return out;
}

async function rewriteSegment(segment: Segment, kept: StoredRecord[]): Promise<Segment> {
  const output = Segment.create(segment.dir, segment.baseOffset, '.cleaned');
  // A batch carries one append time; records keep theirs so a tombstone's deletion delay is
  // measured from when it was first written, not from the last compaction.
  let start = 0;
  while (start < kept.length) {
    const appendTime = kept[start]!.appendTime;
    let end = start + 1;
    while (end < kept.length && end - start < OUTPUT_BATCH_RECORDS && kept[end]!.appendTime === appendTime) end++;
    const chunk = kept.slice(start, end);
    const size = chunk.reduce((n, r) => n + recordSize(r), 0);
    const offsets = chunk.map((r) => r.offset);
    const { batch, maxTimestamp, lastOffset } = encodeBatch(chunk, offsets, size, offsets[0]!, 0, appendTime);
    output.append(batch, offsets[0]!, lastOffset, 0, maxTimestamp);
    start = end;
  }
  await output.sync();
  output.close();
  fs.renameSync(output.logPath + '.cleaned', output.logPath);
  fs.renameSync(output.indexPath + '.cleaned', output.indexPath);
  await fsyncDir(segment.dir);
  const damage: SegmentDamage[] = [];
  return Segment.open(segment.dir, segment.baseOffset, true, damage);
}
