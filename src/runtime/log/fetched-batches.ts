import { CorruptRecordError } from './errors.js';
import type { LogRecord } from './partitioned-log.js';
import { batchChecksumHolds, decodeRecords, readBatchHeader } from './record-batch.js';

/** Consecutive batches of one segment file, as read from disk. */
export type FetchedChunk = {
  buf: Buffer;
  /** The segment file, for error messages. */
  file: string;
  /** The batches in `buf`, in order; `skip` marks an aborted transaction's batch (read_committed). */
  batches: { length: number; firstOffset: number; skip: boolean }[];
};

/**
 * What a fetch read, before decoding: plain data (structured-cloneable, the buffers
 * transferable), so the reading and the decoding can happen in different threads.
 */
export type FetchedBatches = {
  topic: string;
  partition: number;
  /** Records below this offset are left out (a fetch may start inside a batch). */
  from: number;
  maxRecords: number;
  chunks: FetchedChunk[];
};

/**
 * Decodes fetched batches into records, checking each batch's checksum first: a corrupt batch
 * raises CorruptRecordError and none of its records is returned. Keys and values are slices of
 * the chunk buffers (no copies); `views` makes RecordViews (see record-view.ts).
 */
export function decodeFetchedBatches(fetched: FetchedBatches, views = false): LogRecord[] {
  const out: LogRecord[] = [];
  for (const chunk of fetched.chunks) {
    let pos = 0;
    for (const b of chunk.batches) {
      const header = readBatchHeader(chunk.buf, pos);
      if (header === null || header.length !== b.length || !batchChecksumHolds(chunk.buf, pos, b.length)) {
        throw corrupt(fetched, chunk, b.firstOffset, 'checksum mismatch');
      }
      if (!b.skip && !decodeRecords(chunk.buf, pos, header, fetched.topic, fetched.partition, fetched.from, fetched.maxRecords, out, views)) {
        throw corrupt(fetched, chunk, b.firstOffset, 'record structure overruns its batch');
      }
      pos += b.length;
    }
  }
  return out;
}

function corrupt(fetched: FetchedBatches, chunk: FetchedChunk, offset: number, reason: string): CorruptRecordError {
  return new CorruptRecordError(`Corrupt batch at ${fetched.topic}-${fetched.partition} offset ${offset} (${chunk.file}): ${reason}; it is not served`);
}
