import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { FILE_HEADER_BYTES, Magic, fileHeader, readFileHeader, replaceFileAtomically, writeFully } from './file-format.js';
import { GroupFsync } from './group-fsync.js';
import type { TopicPartitionOffset } from './partitioned-log.js';
import type { SegmentDamage } from './segment.js';
import { CorruptRecordError } from './errors.js';

const enum EntryType {
  Offsets = 1,
  Commit = 2,
  Abort = 3,
}

/** Offsets a group committed, per topic and partition. */
export type GroupOffsets = Map<string, Map<string, Map<number, number>>>;

/** Offsets to commit, grouped by consumer group. */
export type OffsetCommit = { groupId: string; offsets: TopicPartitionOffset[] };

/** Rewrite the file once it grows past this, keeping only the current offsets and recent decisions. */
const COMPACT_AT_BYTES = 4 * 1024 * 1024;

/**
 * The log's metadata journal: consumer-group offset commits and transaction decisions, one file
 * of checksummed entries (u32 length, u32 crc32c, u8 type, payload).
 *
 * A transaction commits at the moment its Commit entry (carrying the offsets it sent) is durable:
 * that single write makes its records in every partition and its offsets take effect together.
 * The header's value is a watermark W: every transaction with sequence number <= W is decided, and
 * those that aborted are listed in their partitions' aborted.txns. A transaction above W with no
 * entry here was open when the process stopped: it is aborted on open.
 */
export class CoordinatorLog {
  readonly offsets: GroupOffsets = new Map();
  private readonly decisions = new Map<number, boolean>();
  private size = FILE_HEADER_BYTES;
  private readonly fsyncs = new GroupFsync(() => this.fd);
  /** The compaction in progress: appends wait for it, or they would land in the file it replaces. */
  private compacting: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private fd: number,
    private watermarkSeq: number,
  ) {}

  static open(dir: string, damage: SegmentDamage[]): CoordinatorLog {
    const file = path.join(dir, 'coordinator.log');
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, fileHeader(Magic.coordinator, 0));
    }
    const raw = fs.readFileSync(file);
    const watermark = readFileHeader(raw, Magic.coordinator);
    const fd = fs.openSync(file, 'r+');
    const log = new CoordinatorLog(dir, fd, watermark ?? 0);
    if (watermark === null) {
      // An unreadable header means the file cannot be trusted at all; refuse rather than guess.
      fs.closeSync(fd);
      throw new CorruptRecordError(`Coordinator journal ${file} has an invalid header; restore it or remove the log folder`);
    }
    let pos = FILE_HEADER_BYTES;
    while (pos + 9 <= raw.length) {
      const length = raw.readUInt32LE(pos);
      if (length < 9 || pos + length > raw.length || crc32c(raw.subarray(pos + 8, pos + length)) !== raw.readUInt32LE(pos + 4)) break;
      log.apply(raw.subarray(pos + 8, pos + length));
      pos += length;
    }
    if (pos < raw.length) {
      damage.push({ file, position: pos, droppedBytes: raw.length - pos, reason: 'torn or corrupt journal entry' });
      fs.ftruncateSync(fd, pos);
    }
    log.size = pos;
    return log;
  }

  get watermark(): number {
    return this.watermarkSeq;
  }

  /** The highest transaction sequence number this journal knows of. */
  get maxDecidedSeq(): number {
    let max = this.watermarkSeq;
    for (const seq of this.decisions.keys()) if (seq > max) max = seq;
    return max;
  }

  /** How a transaction found on disk ended (see the class comment). */
  outcome(txnSeq: number): 'commit' | 'abort' {
    if (txnSeq <= this.watermarkSeq) return 'commit';
    return this.decisions.get(txnSeq) === true ? 'commit' : 'abort';
  }

  committed(groupId: string, topic: string): Map<number, number> | undefined {
    return this.offsets.get(groupId)?.get(topic);
  }

  /** Appends an offset commit; durable when the promise resolves if `sync`. */
  async commitOffsets(commit: OffsetCommit, sync: boolean): Promise<void> {
    await this.append(encodeEntry(EntryType.Offsets, 0, [commit]), sync);
  }

  /** The commit point of a transaction. */
  async commitTransaction(txnSeq: number, offsets: OffsetCommit[], sync: boolean): Promise<void> {
    await this.append(encodeEntry(EntryType.Commit, txnSeq, offsets), sync);
  }

  async abortTransaction(txnSeq: number): Promise<void> {
    await this.append(encodeEntry(EntryType.Abort, txnSeq, []), false);
  }

  /** True once the journal is big enough that `compact` is worth its cost. */
  get wantsCompaction(): boolean {
    return this.size > COMPACT_AT_BYTES;
  }

  /**
   * Rewrites the journal as: watermark `upTo` (every transaction <= upTo decided, aborts already
   * durable in their partitions), the current offsets, and the decisions above `upTo`.
   */
  compact(upTo: number): Promise<void> {
    if (this.compacting !== undefined) return this.compacting;
    const run = this.rewrite(upTo).finally(() => {
      this.compacting = undefined;
    });
    this.compacting = run;
    return run;
  }

  private async rewrite(upTo: number): Promise<void> {
    const parts: Buffer[] = [fileHeader(Magic.coordinator, upTo)];
    for (const [groupId, topics] of this.offsets) {
      const offsets: TopicPartitionOffset[] = [];
      for (const [topic, partitions] of topics) for (const [partition, offset] of partitions) offsets.push({ topic, partition, offset });
      parts.push(encodeEntry(EntryType.Offsets, 0, [{ groupId, offsets }]));
    }
    for (const [seq, commit] of this.decisions) {
      if (seq > upTo) parts.push(encodeEntry(commit ? EntryType.Commit : EntryType.Abort, seq, []));
    }
    const contents = Buffer.concat(parts);
    const file = path.join(this.dir, 'coordinator.log');
    await replaceFileAtomically(file, contents, this.dir);
    // An fsync of the old file may still run (its entries are in the new one): close it after.
    await this.fsyncs.idle();
    fs.closeSync(this.fd);
    this.fd = fs.openSync(file, 'r+');
    this.size = contents.length;
    this.watermarkSeq = upTo;
    for (const seq of [...this.decisions.keys()]) if (seq <= upTo) this.decisions.delete(seq);
  }

  private async append(entry: Buffer, sync: boolean): Promise<void> {
    while (this.compacting !== undefined) await this.compacting.catch(() => undefined);
    const at = this.size;
    this.size += entry.length;
    writeFully(this.fd, entry, at);
    this.apply(entry.subarray(8));
    if (sync) await this.fsyncs.sync();
  }

  private apply(body: Buffer): void {
    const type = body.readUInt8(0) as EntryType;
    const seq = body.readDoubleLE(1);
    if (type === EntryType.Abort) {
      this.decisions.set(seq, false);
      return;
    }
    if (type === EntryType.Commit) this.decisions.set(seq, true);
    for (const { groupId, offsets } of decodeOffsets(body, 9)) {
      let topics = this.offsets.get(groupId);
      if (topics === undefined) this.offsets.set(groupId, (topics = new Map()));
      for (const o of offsets) {
        let partitions = topics.get(o.topic);
        if (partitions === undefined) topics.set(o.topic, (partitions = new Map()));
        partitions.set(o.partition, o.offset);
      }
    }
  }

  /** Forgets a deleted topic's offsets in every group (in memory; the next compaction drops them). */
  forgetTopic(topic: string): void {
    for (const topics of this.offsets.values()) topics.delete(topic);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Entry body: u8 type, f64 txnSeq, u16 group count, per group: string id, u32 count, (string topic, u32 partition, f64 offset)*. */
function encodeEntry(type: EntryType, txnSeq: number, commits: OffsetCommit[]): Buffer {
  let size = 8 + 1 + 8 + 2;
  for (const c of commits) {
    size += 2 + Buffer.byteLength(c.groupId) + 4;
    for (const o of c.offsets) size += 2 + Buffer.byteLength(o.topic) + 4 + 8;
  }
  const buf = Buffer.allocUnsafe(size);
  let p = 8;
  p = buf.writeUInt8(type, p);
  p = buf.writeDoubleLE(txnSeq, p);
  p = buf.writeUInt16LE(commits.length, p);
  for (const c of commits) {
    p = writeString(buf, c.groupId, p);
    p = buf.writeUInt32LE(c.offsets.length, p);
    for (const o of c.offsets) {
      p = writeString(buf, o.topic, p);
      p = buf.writeUInt32LE(o.partition, p);
      p = buf.writeDoubleLE(o.offset, p);
    }
  }
  buf.writeUInt32LE(size, 0);
  buf.writeUInt32LE(crc32c(buf.subarray(8)), 4);
  return buf;
}

function decodeOffsets(body: Buffer, start: number): OffsetCommit[] {
  const commits: OffsetCommit[] = [];
  let p = start;
  const groups = body.readUInt16LE(p);
  p += 2;
  for (let g = 0; g < groups; g++) {
    const [groupId, afterId] = readString(body, p);
    const count = body.readUInt32LE(afterId);
    p = afterId + 4;
    const offsets: TopicPartitionOffset[] = [];
    for (let i = 0; i < count; i++) {
      const [topic, afterTopic] = readString(body, p);
      offsets.push({ topic, partition: body.readUInt32LE(afterTopic), offset: body.readDoubleLE(afterTopic + 4) });
      p = afterTopic + 12;
    }
    commits.push({ groupId, offsets });
  }
  return commits;
}

function writeString(buf: Buffer, s: string, at: number): number {
  const n = buf.write(s, at + 2, 'utf8');
  buf.writeUInt16LE(n, at);
  return at + 2 + n;
}

function readString(buf: Buffer, at: number): [string, number] {
  const n = buf.readUInt16LE(at);
  return [buf.toString('utf8', at + 2, at + 2 + n), at + 2 + n];
}
