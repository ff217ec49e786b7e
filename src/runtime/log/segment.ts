import fs from 'node:fs';
import path from 'node:path';
import { BATCH_HEADER_BYTES, batchChecksumHolds, readBatchHeader, type BatchHeader } from './record-batch.js';
import {
  FILE_HEADER_BYTES,
  Magic,
  fileHeader,
  fsyncAsync,
  readAt,
  readFileHeader,
  writeFully,
} from './file-format.js';

/** Index entry on disk: u32 relFirstOffset, u32 position, u32 length, u32 relLastOffset, f64 txnSeq, f64 maxTimestamp. */
const INDEX_ENTRY_BYTES = 32;

/** What opening a segment found wrong and cut off. */
export type SegmentDamage = { file: string; position: number; droppedBytes: number; reason: string };

/** A batch's place in its segment, as the offset index records it (one entry per batch). */
export type BatchEntry = {
  firstOffset: number;
  lastOffset: number;
  position: number;
  length: number;
  txnSeq: number;
  maxTimestamp: number;
};

export function segmentFileName(baseOffset: number, ext: 'log' | 'index'): string {
  return `${String(baseOffset).padStart(20, '0')}.${ext}`;
}

/**
 * One segment: a log file of record batches plus its offset index (a dense list of batch
 * entries, kept in memory and mirrored to the `.index` file), so a fetch from any offset seeks
 * straight to its batch. Appends and reads are synchronous positional I/O: they hit the page
 * cache, keep append order trivially, and cost less than a trip through libuv's thread pool.
 */
export class Segment {
  readonly entries: BatchEntry[] = [];
  size = FILE_HEADER_BYTES;
  maxTimestamp = -1;
  /** Appended since the last sync. */
  dirty = false;
  /** Bytes appended since the last sync started. */
  unsyncedBytes = 0;
  /** Entries already written to the index file. */
  private indexed = 0;
  /** Index entries written since the index file was last fsynced. */
  private indexUnsynced = false;
  /** The newest fsync started, until it settles: it covers every write made before it started. */
  private syncing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly fd: number,
    private readonly indexFd: number,
  ) {}

  get logPath(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, 'log'));
  }

  get indexPath(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, 'index'));
  }

  /** One past the last offset stored here, or the base offset when empty. */
  get nextOffset(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.baseOffset : last.lastOffset + 1;
  }

  static create(dir: string, baseOffset: number, suffix = ''): Segment {
    const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, 'log') + suffix), 'w+');
    const indexFd = fs.openSync(path.join(dir, segmentFileName(baseOffset, 'index') + suffix), 'w+');
    writeFully(fd, fileHeader(Magic.segment, baseOffset), 0);
    writeFully(indexFd, fileHeader(Magic.index, baseOffset), 0);
    const segment = new Segment(dir, baseOffset, fd, indexFd);
    segment.indexed = 0;
    segment.dirty = true;
    segment.indexUnsynced = true;
    return segment;
  }

  /**
   * Opens a segment, keeping the longest prefix of whole, checksummed batches. With `verify`
   * every batch's checksum is checked (the active segment after an unclean stop); otherwise the
   * index is trusted when it agrees with the file size, and the file is rescanned when not.
   */
  static open(dir: string, baseOffset: number, verify: boolean, damage: SegmentDamage[]): Segment {
    const logPath = path.join(dir, segmentFileName(baseOffset, 'log'));
    const fd = fs.openSync(logPath, 'r+');
    const indexFd = fs.openSync(path.join(dir, segmentFileName(baseOffset, 'index')), fs.existsSync(path.join(dir, segmentFileName(baseOffset, 'index'))) ? 'r+' : 'w+');
    const segment = new Segment(dir, baseOffset, fd, indexFd);
    const fileSize = fs.fstatSync(fd).size;
    const header = readAt(fd, FILE_HEADER_BYTES, 0);
    if (readFileHeader(header, Magic.segment) !== baseOffset) {
      damage.push({ file: logPath, position: 0, droppedBytes: fileSize, reason: 'missing or invalid segment header' });
      fs.ftruncateSync(fd, 0);
      writeFully(fd, fileHeader(Magic.segment, baseOffset), 0);
      segment.rewriteIndex();
      return segment;
    }
    const trusted = verify ? [] : segment.loadIndex(fileSize);
    const last = trusted[trusted.length - 1];
    const scanFrom = last === undefined ? FILE_HEADER_BYTES : last.position + last.length;
    segment.entries.push(...trusted);
    const scanned = scanBatches(fd, scanFrom, fileSize, last === undefined ? baseOffset - 1 : last.lastOffset);
    segment.entries.push(...scanned.entries);
    segment.indexed = trusted.length;
    segment.size = scanned.end;
    if (scanned.end < fileSize) {
      damage.push({ file: logPath, position: scanned.end, droppedBytes: fileSize - scanned.end, reason: scanned.reason });
      fs.ftruncateSync(fd, scanned.end);
    }
    const indexSize = fs.fstatSync(indexFd).size;
    if (indexSize !== FILE_HEADER_BYTES + segment.entries.length * INDEX_ENTRY_BYTES || scanned.end < fileSize) segment.rewriteIndex();
    for (const e of segment.entries) if (e.maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = e.maxTimestamp;
    return segment;
  }

  /** Index entries that agree with each other and with the log file's size. */
  private loadIndex(fileSize: number): BatchEntry[] {
    const raw = fs.readFileSync(this.indexPath);
    if (readFileHeader(raw, Magic.index) !== this.baseOffset) return [];
    const entries: BatchEntry[] = [];
    let expectedPosition = FILE_HEADER_BYTES;
    let previousLast = this.baseOffset - 1;
    for (let p = FILE_HEADER_BYTES; p + INDEX_ENTRY_BYTES <= raw.length; p += INDEX_ENTRY_BYTES) {
      const entry: BatchEntry = {
        firstOffset: this.baseOffset + raw.readUInt32LE(p),
        position: raw.readUInt32LE(p + 4),
        length: raw.readUInt32LE(p + 8),
        lastOffset: this.baseOffset + raw.readUInt32LE(p + 12),
        txnSeq: raw.readDoubleLE(p + 16),
        maxTimestamp: raw.readDoubleLE(p + 24),
      };
      const consistent =
        entry.position === expectedPosition &&
        entry.length >= BATCH_HEADER_BYTES &&
        entry.position + entry.length <= fileSize &&
        entry.firstOffset > previousLast &&
        entry.lastOffset >= entry.firstOffset;
      if (!consistent) break;
      entries.push(entry);
      expectedPosition = entry.position + entry.length;
      previousLast = entry.lastOffset;
    }
    return entries;
  }

  private rewriteIndex(): void {
    const buf = Buffer.allocUnsafe(FILE_HEADER_BYTES + this.entries.length * INDEX_ENTRY_BYTES);
    fileHeader(Magic.index, this.baseOffset).copy(buf, 0);
    this.entries.forEach((e, i) => this.encodeEntry(e, buf, FILE_HEADER_BYTES + i * INDEX_ENTRY_BYTES));
    fs.ftruncateSync(this.indexFd, 0);
    writeFully(this.indexFd, buf, 0);
    this.indexed = this.entries.length;
    this.indexUnsynced = true;
  }

  private encodeEntry(e: BatchEntry, buf: Buffer, at: number): void {
    buf.writeUInt32LE(e.firstOffset - this.baseOffset, at);
    buf.writeUInt32LE(e.position, at + 4);
    buf.writeUInt32LE(e.length, at + 8);
    buf.writeUInt32LE(e.lastOffset - this.baseOffset, at + 12);
    buf.writeDoubleLE(e.txnSeq, at + 16);
    buf.writeDoubleLE(e.maxTimestamp, at + 24);
  }

  /**
   * Appends an encoded batch (see record-batch.ts). Its index entry is kept in memory and written
   * by flushIndex: an open after an unclean stop rescans the active segment, so its index needs to
   * be on disk only once the segment is rolled or the log closes cleanly.
   */
  append(batch: Buffer, firstOffset: number, lastOffset: number, txnSeq: number, maxTimestamp: number): BatchEntry {
    const entry: BatchEntry = { firstOffset, lastOffset, position: this.size, length: batch.length, txnSeq, maxTimestamp };
    writeFully(this.fd, batch, this.size);
    this.entries.push(entry);
    this.unsyncedBytes += batch.length;
    this.size += batch.length;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.dirty = true;
    return entry;
  }

  /** Index of the first batch holding an offset >= `offset`, or entries.length if none. */
  batchIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Reads batches [from, to) of the index in one positional read. */
  readBatches(from: number, to: number): Buffer {
    const first = this.entries[from]!;
    const last = this.entries[to - 1]!;
    return readAt(this.fd, last.position + last.length - first.position, first.position);
  }

  /** Writes the index entries appended since the last flush. */
  flushIndex(): void {
    if (this.indexed === this.entries.length) return;
    const pending = this.entries.length - this.indexed;
    const buf = Buffer.allocUnsafe(pending * INDEX_ENTRY_BYTES);
    for (let i = 0; i < pending; i++) this.encodeEntry(this.entries[this.indexed + i]!, buf, i * INDEX_ENTRY_BYTES);
    writeFully(this.indexFd, buf, FILE_HEADER_BYTES + this.indexed * INDEX_ENTRY_BYTES);
    this.indexed = this.entries.length;
    this.indexUnsynced = true;
  }

  /**
   * Makes every write so far durable; the index too unless `withIndex` is false (the active
   * segment's: an unclean stop rescans that segment, and a clean close syncs it). A caller that
   * finds nothing new to sync still waits for the sync in flight: it may cover that caller's
   * writes (two transactions commit at once and both wrote here; the second must not go on before
   * the first one's fsync is done).
   */
  sync(withIndex = true): Promise<void> {
    this.flushIndex();
    const index = withIndex && this.indexUnsynced;
    if (!this.dirty && !index) return this.syncing ?? Promise.resolve();
    // What this sync does not fsync again (the log, or the index it needs) the one in flight covers.
    const leansOnInFlight = !this.dirty || (withIndex && !index);
    const files: Promise<unknown>[] = leansOnInFlight && this.syncing !== undefined ? [this.syncing] : [];
    if (this.dirty) {
      this.dirty = false;
      this.unsyncedBytes = 0;
      files.push(fsyncAsync(this.fd));
    }
    if (index) {
      this.indexUnsynced = false;
      files.push(fsyncAsync(this.indexFd));
    }
    const started = Promise.all(files).then(() => undefined);
    this.syncing = started;
    const settled = () => {
      if (this.syncing === started) this.syncing = undefined;
    };
    started.then(settled, settled);
    return started;
  }

  /**
   * Closes both files; with a sync in flight (a segment rolled just before retention or
   * compaction drops it), once that sync is done: closed under it, its fsync would fail (EBADF)
   * or reach whatever file took the descriptor number, and the commit waiting on it would fail.
   */
  close(): void {
    this.flushIndex();
    const closeFiles = () => {
      fs.closeSync(this.fd);
      fs.closeSync(this.indexFd);
    };
    if (this.syncing === undefined) closeFiles();
    else void this.syncing.then(closeFiles, closeFiles).catch(() => undefined); // nothing is left to do with a close that failed
  }

  /** Closes and deletes both files. */
  remove(): void {
    this.close();
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.indexPath, { force: true });
  }
}

/** Reads whole, checksummed batches from `from` until the first bad or partial one. */
function scanBatches(
  fd: number,
  from: number,
  fileSize: number,
  afterOffset: number,
  /** Collects each kept batch's header (dump), in the entries' order. */
  headers?: BatchHeader[],
): { entries: BatchEntry[]; end: number; reason: string } {
  const entries: BatchEntry[] = [];
  if (from >= fileSize) return { entries, end: from, reason: '' };
  const buf = readAt(fd, fileSize - from, from);
  let pos = 0;
  let reason = '';
  let previousLast = afterOffset;
  while (pos < buf.length) {
    const header: BatchHeader | null = readBatchHeader(buf, pos);
    if (header === null) {
      reason = pos + BATCH_HEADER_BYTES > buf.length ? 'torn batch header at the tail' : 'invalid batch header';
      break;
    }
    if (pos + header.length > buf.length) {
      reason = 'torn batch at the tail';
      break;
    }
    if (!batchChecksumHolds(buf, pos, header.length)) {
      reason = 'batch checksum mismatch';
      break;
    }
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (header.baseOffset <= previousLast) {
      reason = 'batch offsets out of order';
      break;
    }
    entries.push({
      firstOffset: header.baseOffset,
      lastOffset,
      position: from + pos,
      length: header.length,
      txnSeq: header.txnSeq,
      maxTimestamp: header.maxTimestamp,
    });
    headers?.push(header);
    previousLast = lastOffset;
    pos += header.length;
  }
  return { entries, end: from + pos, reason };
}

/**
 * Reads a segment file without changing it: the base offset its header names (null when the header
 * is missing or invalid), the batches open() would keep (index entries and their headers), and
 * where and why it would cut the rest.
 */
export function scanSegmentFile(file: string): { baseOffset: number | null; batches: BatchEntry[]; headers: BatchHeader[]; end: number; size: number; reason: string } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const baseOffset = readFileHeader(readAt(fd, FILE_HEADER_BYTES, 0), Magic.segment);
    const headers: BatchHeader[] = [];
    if (baseOffset === null) return { baseOffset, batches: [], headers, end: 0, size, reason: 'missing or invalid segment header' };
    const scanned = scanBatches(fd, FILE_HEADER_BYTES, size, baseOffset - 1, headers);
    return { baseOffset, batches: scanned.entries, headers, end: scanned.end, size, reason: scanned.reason };
  } finally {
    fs.closeSync(fd);
  }
}
