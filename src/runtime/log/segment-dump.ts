import fs from 'node:fs';
import path from 'node:path';
import { UnknownPartitionError, UnknownTopicError } from './errors.js';
import { scanSegmentFile } from './segment.js';

/** One record batch of a segment file, as its header and checksum describe it. */
export type DumpedBatch = {
  /** Byte position in the file. */
  position: number;
  bytes: number;
  firstOffset: number;
  lastOffset: number;
  records: number;
  /** Written by a transaction; `transactionSeq` orders it among the partition's transactions. */
  transactional: boolean;
  transactionSeq: number;
  maxTimestamp: number;
  /** Wall clock when the log wrote it (retention goes by this). */
  appendTime: number;
};

/**
 * A segment file of a partition: its batches, and `damage` when its tail would be cut off at the
 * next open (a torn write, a checksum that fails…): the batches listed are the ones kept.
 */
export type SegmentDump = {
  partition: number;
  file: string;
  baseOffset: number | null;
  bytes: number;
  batches: DumpedBatch[];
  damage?: { position: number; droppedBytes: number; reason: string };
};

/** Reads a topic's segment files (one partition's, or every one's) under an EmbeddedLog folder, changing nothing (see EmbeddedLog.dumpSegments). */
export function dumpTopicSegments(dir: string, topic: string, partition?: number): SegmentDump[] {
  const topicDir = path.join(dir, 'topics', topic);
  if (!fs.existsSync(path.join(topicDir, 'topic.json'))) throw new UnknownTopicError(topic);
  const partitions = fs.readdirSync(topicDir).filter((name) => /^\d+$/.test(name)).length;
  if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0 && partition < partitions)) throw new UnknownPartitionError(topic, partition, partitions);
  const chosen = partition !== undefined ? [partition] : Array.from({ length: partitions }, (_, p) => p);
  return chosen.flatMap((p) => {
    const partitionDir = path.join(topicDir, String(p));
    const files = fs.readdirSync(partitionDir).filter((name) => /^\d{20}\.log$/.test(name)).sort();
    return files.map((name) => dumpSegmentFile(p, path.join(partitionDir, name)));
  });
}

function dumpSegmentFile(partition: number, file: string): SegmentDump {
  const scanned = scanSegmentFile(file);
  const batches = scanned.batches.map((entry, i): DumpedBatch => {
    const header = scanned.headers[i]!;
    return {
      position: entry.position,
      bytes: entry.length,
      firstOffset: entry.firstOffset,
      lastOffset: entry.lastOffset,
      records: header.recordCount,
      transactional: header.transactional,
      transactionSeq: header.txnSeq,
      maxTimestamp: header.maxTimestamp,
      appendTime: header.appendTime,
    };
  });
  const dump: SegmentDump = { partition, file, baseOffset: scanned.baseOffset, bytes: scanned.size, batches };
  if (scanned.end < scanned.size) dump.damage = { position: scanned.end, droppedBytes: scanned.size - scanned.end, reason: scanned.reason };
  return dump;
}
