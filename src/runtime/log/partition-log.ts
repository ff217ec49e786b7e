import fs from 'node:fs';
import path from 'node:path';
import { AbortedTransactions } from './aborted-transactions.js';
import { OffsetOutOfRangeError } from './errors.js';
import { fsyncDir } from './file-format.js';
import type { LogRecord, ProducerRecord } from './partitioned-log.js';
import { decodeFetchedBatches, type FetchedBatches, type FetchedChunk } from './fetched-batches.js';
import { encodeBatch, stampBatch } from './record-batch.js';
import { Segment, type SegmentDamage } from './segment.js';

/** Upper bound on bytes one fetch reads, so a huge maxRecords cannot exhaust memory. */
const MAX_FETCH_BYTES = 16 * 1024 * 1024;

/** Unsynced transactional bytes in a segment past which an fsync starts in the background. */
const EARLY_SYNC_BYTES = 1024 * 1024;

export type PartitionSettings = { segmentBytes: number };

/** How a transaction found on disk at open ended: decided by the coordinator log. */
export type TransactionOutcome = (txnSeq: number) => 'commit' | 'abort';

/**
 * One topic-partition on disk: its segments, the transactions open in it, and the aborted ones.
 * Offsets are dense: each record takes the next offset, transactional or not. read_committed
 * reads stop at the last stable offset (the first offset of the oldest open transaction) and skip
 * batches of aborted transactions.
 */
export class PartitionLog {
  /** Open transactions: sequence number → first offset they wrote here. */
  private readonly openTxns = new Map<number, number>();
  private lastStable = -1;
  private dirDirty = false;
  /** The directory fsync in flight, if any (as Segment.sync: later callers wait for it too). */
  private dirSyncing: Promise<void> | undefined;
  private readonly backgroundSyncs = new Set<Promise<void>>();
  private syncFailure: unknown;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    readonly segments: Segment[],
    private readonly aborted: AbortedTransactions,
    private readonly settings: PartitionSettings,
  ) {}

  static create(dir: string, topic: string, partition: number, settings: PartitionSettings): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(topic, partition, dir, [Segment.create(dir, 0)], new AbortedTransactions(dir, new Set()), settings);
    log.dirDirty = true;
    return log;
  }

  /**
   * Opens a partition after a clean or unclean stop. With `verifyActive` (an unclean stop) the
   * active segment is checked batch by batch; what follows the first bad batch is cut off and
   * reported in `damage`. Transactions found without a commit decision are aborted here, so they
   * can never become visible.
   */
  static open(
    dir: string,
    topic: string,
    partition: number,
    settings: PartitionSettings,
    outcome: TransactionOutcome,
    damage: SegmentDamage[],
    verifyActive = true,
  ): { log: PartitionLog; maxTxnSeq: number } {
    finishOrDropCompaction(dir);
    const bases = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .map((n) => Number(n.slice(0, -4)))
      .sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    const segments = bases.map((base, i) =>
      fs.existsSync(path.join(dir, `${String(base).padStart(20, '0')}.log`))
        ? Segment.open(dir, base, verifyActive && i === bases.length - 1, damage)
        : Segment.create(dir, base),
    );
    const seen = new Set<number>();
    for (const s of segments) for (const e of s.entries) if (e.txnSeq > 0) seen.add(e.txnSeq);
    const aborted = new AbortedTransactions(dir, seen);
    let maxTxnSeq = 0;
    for (const seq of seen) {
      if (seq > maxTxnSeq) maxTxnSeq = seq;
      if (!aborted.has(seq) && outcome(seq) === 'abort') aborted.addNow(seq);
    }
    aborted.syncNow();
    return { log: new PartitionLog(topic, partition, dir, segments, aborted, settings), maxTxnSeq };
  }

  get startOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  get endOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return size;
  }

  /** First offset a read_committed reader may not see yet. */
  get lastStableOffset(): number {
    return this.openTxns.size === 0 ? this.endOffset : this.lastStable;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /**
   * Appends records (already validated) as one batch. `byteSize` is their summed `recordSize`.
   * Returns the first offset; the records got consecutive offsets from there.
   */
  append(records: readonly ProducerRecord[], byteSize: number, txnSeq: number, now: number): number {
    const base = this.endOffset;
    const { batch, maxTimestamp, lastOffset } = encodeBatch(records, null, byteSize, base, txnSeq, now);
    this.write(batch, base, lastOffset, txnSeq, maxTimestamp);
    return base;
  }

  /**
   * Appends a batch encoded elsewhere (by a stream thread, from offset 0; see stampBatch), once
   * stamped with its offset. Returns the first offset.
   */
  appendEncoded(batch: Buffer, lastOffsetDelta: number, maxTimestamp: number, txnSeq: number, now: number): number {
    const base = this.endOffset;
    stampBatch(batch, base, txnSeq, now);
    this.write(batch, base, base + lastOffsetDelta, txnSeq, maxTimestamp);
    return base;
  }

  private write(batch: Buffer, base: number, lastOffset: number, txnSeq: number, maxTimestamp: number): void {
    if (this.active.size + batch.length > this.settings.segmentBytes && this.active.entries.length > 0) this.roll();
    this.active.append(batch, base, lastOffset, txnSeq, maxTimestamp);
    if (txnSeq > 0) {
      if (!this.openTxns.has(txnSeq)) {
        this.openTxns.set(txnSeq, base);
        if (this.openTxns.size === 1) this.lastStable = base;
      }
      // A commit must fsync what its transaction wrote; flushing as it goes leaves the commit
      // little to wait for, instead of the whole commit interval's bytes at once.
      if (this.active.unsyncedBytes >= EARLY_SYNC_BYTES) this.syncInBackground(this.active);
    }
  }

  private roll(): void {
    const closing = this.active;
    this.segments.push(Segment.create(this.dir, this.endOffset));
    this.dirDirty = true;
    this.syncInBackground(closing); // no longer active: its index is synced too
  }

  /** Starts an fsync without waiting; a failure is raised by the next sync(). */
  private syncInBackground(segment: Segment): void {
    const running = segment.sync(segment !== this.active).catch((e: unknown) => {
      this.syncFailure ??= e;
    });
    this.backgroundSyncs.add(running);
    void running.then(() => this.backgroundSyncs.delete(running));
  }

  /** Ends a transaction here: its records become visible (commit) or hidden for good (abort). */
  async endTransaction(txnSeq: number, commit: boolean): Promise<void> {
    if (!this.openTxns.has(txnSeq)) return;
    if (!commit) await this.aborted.add(txnSeq);
    this.openTxns.delete(txnSeq);
    this.lastStable = Infinity;
    for (const first of this.openTxns.values()) if (first < this.lastStable) this.lastStable = first;
  }

  /** Records from `offset`, at most `maxRecords`, in offset order. */
  fetch(offset: number, maxRecords: number, readCommitted: boolean): LogRecord[] {
    return decodeFetchedBatches(this.fetchBatches(offset, maxRecords, readCommitted));
  }

  /**
   * The batches holding the records `fetch` would return, still encoded: whoever decodes them
   * (`decodeFetchedBatches`) checks their checksums. Lets a stream thread decode in its own thread.
   */
  fetchBatches(offset: number, maxRecords: number, readCommitted: boolean): FetchedBatches {
    const end = this.endOffset;
    if (offset < this.startOffset || offset > end || !Number.isInteger(offset)) {
      throw new OffsetOutOfRangeError(this.topic, this.partition, offset, this.startOffset, end);
    }
    const limit = readCommitted ? this.lastStableOffset : end;
    const fetched: FetchedBatches = { topic: this.topic, partition: this.partition, from: offset, maxRecords, chunks: [] };
    let segmentIndex = this.segmentIndexFor(offset);
    let from = offset;
    let records = 0;
    while (records === 0 && segmentIndex < this.segments.length && from < limit) {
      const segment = this.segments[segmentIndex]!;
      records += this.selectBatches(segment, from, limit, maxRecords, readCommitted, fetched.chunks);
      segmentIndex++;
      from = Math.max(from, segment.nextOffset);
    }
    return fetched;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Reads the batches of `segment` a fetch needs into one chunk; returns how many records they hold for the reader. */
  private selectBatches(segment: Segment, from: number, limit: number, maxRecords: number, readCommitted: boolean, chunks: FetchedChunk[]): number {
    const entries = segment.entries;
    const first = segment.batchIndexFor(from);
    let last = first;
    let records = 0;
    let bytes = 0;
    const batches: FetchedChunk['batches'] = [];
    while (last < entries.length && records < maxRecords && bytes < MAX_FETCH_BYTES) {
      const e = entries[last]!;
      if (e.firstOffset >= limit) break;
      last++;
      const skip = readCommitted && e.txnSeq > 0 && this.aborted.has(e.txnSeq);
      batches.push({ length: e.length, firstOffset: e.firstOffset, skip });
      if (skip) continue;
      records += e.lastOffset - Math.max(e.firstOffset, from) + 1;
      bytes += e.length;
    }
    if (last > first) chunks.push({ buf: segment.readBatches(first, last), file: segment.logPath, batches });
    return records;
  }

  /**
   * Makes everything appended so far durable. The active segment's index is left to the OS
   * unless `withActiveIndex` (a close): after an unclean stop open() rebuilds it from the
   * checksummed batches, so a commit spares an fsync per partition.
   */
  async sync(withActiveIndex = false): Promise<void> {
    // Every segment: one with nothing new may have a sync in flight that covers this caller's writes.
    const pending = [...this.backgroundSyncs, ...this.segments.map((s) => s.sync(withActiveIndex || s !== this.active))];
    if (this.dirDirty) {
      this.dirDirty = false;
      const started = fsyncDir(this.dir);
      this.dirSyncing = started;
      const settled = () => {
        if (this.dirSyncing === started) this.dirSyncing = undefined;
      };
      started.then(settled, settled);
    }
    if (this.dirSyncing !== undefined) pending.push(this.dirSyncing);
    await Promise.all(pending);
    const failure = this.syncFailure;
    this.syncFailure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Deletes whole old segments (never the active one) past the time or size limit. */
  enforceRetention(now: number, retentionMs: number | undefined, retentionBytes: number | undefined): number {
    let deleted = 0;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const expired = retentionMs !== undefined && oldest.maxTimestamp < now - retentionMs;
      const oversized = retentionBytes !== undefined && total - oldest.size >= retentionBytes;
      if (!expired && !oversized) break;
      this.segments.shift();
      oldest.remove();
      total -= oldest.size;
      deleted++;
    }
    if (deleted > 0) this.dirDirty = true;
    return deleted;
  }

  /** Swaps in compacted segments produced by compaction.ts, closing the old ones. */
  replaceSegments(from: number, count: number, replacements: Segment[]): void {
    const old = this.segments.splice(from, count, ...replacements);
    for (const s of old) if (!replacements.some((r) => r.baseOffset === s.baseOffset)) s.remove();
    else s.close();
    this.dirDirty = true;
  }

  isAborted(txnSeq: number): boolean {
    return this.aborted.has(txnSeq);
  }

  /** Closes files; call after sync() when the data must be durable. */
  close(): void {
    for (const s of this.segments) s.close();
    this.aborted.close();
  }
}

/**
 * Compaction renames `X.log.cleaned` over `X.log`, then `X.index.cleaned` over `X.index`. A crash
 * between the two leaves only the index file pending: finish that rename. Both pending means the
 * swap never began: drop the output. Stray temporary files go too.
 */
function finishOrDropCompaction(dir: string): void {
  const names = new Set(fs.readdirSync(dir));
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.tmp')) fs.rmSync(file);
    if (!name.endsWith('.index.cleaned')) continue;
    const logPending = names.has(name.replace('.index.cleaned', '.log.cleaned'));
    if (logPending) fs.rmSync(file);
    else fs.renameSync(file, file.slice(0, -'.cleaned'.length));
  }
  for (const name of names) if (name.endsWith('.log.cleaned')) fs.rmSync(path.join(dir, name));
}
