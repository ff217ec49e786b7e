import type { LogRecord } from '../partitioned-log.js';

/** Records held across all partitions before the oldest buffers are dropped. */
const MAX_BUFFERED_RECORDS = 250_000;

type Buffered = { from: number; records: LogRecord[]; at: number };

/**
 * Records a fetch received beyond what its caller asked for (Kafka answers with up to
 * fetchMaxBytes per partition; a caller may want 500 records), kept for the next fetch of that
 * partition, which usually starts right where the last one ended. Java's consumer keeps its
 * fetched batches the same way. A fetch at any other offset, or in another isolation level,
 * drops the partition's buffer and goes to the broker.
 */
export class FetchBuffer {
  private readonly buffers = new Map<string, Buffered>();
  private size = 0;

  /** Up to `maxRecords` buffered records starting exactly at `offset`, or undefined. */
  take(topic: string, partition: number, readCommitted: boolean, offset: number, maxRecords: number): LogRecord[] | undefined {
    const id = key(topic, partition, readCommitted);
    const buffered = this.buffers.get(id);
    if (buffered === undefined) return undefined;
    this.drop(id);
    if (buffered.from !== offset) return undefined;
    const out = buffered.records.slice(buffered.at, buffered.at + maxRecords);
    const at = buffered.at + out.length;
    if (at < buffered.records.length) this.keep(id, { from: out[out.length - 1]!.offset + 1, records: buffered.records, at });
    return out;
  }

  /** Returns the first `maxRecords` of a fetched response and keeps the rest. */
  split(topic: string, partition: number, readCommitted: boolean, records: LogRecord[], maxRecords: number): LogRecord[] {
    if (records.length <= maxRecords) return records;
    const out = records.slice(0, maxRecords);
    this.keep(key(topic, partition, readCommitted), { from: out[out.length - 1]!.offset + 1, records, at: maxRecords });
    return out;
  }

  /** Forgets a topic's records (it was deleted or created again). */
  forget(topic: string): void {
    for (const id of [...this.buffers.keys()]) if (id.startsWith(`${topic}\u0000`)) this.drop(id);
  }

  clear(): void {
    this.buffers.clear();
    this.size = 0;
  }

  private keep(id: string, buffered: Buffered): void {
    this.drop(id);
    this.buffers.set(id, buffered);
    this.size += buffered.records.length - buffered.at;
    for (const [oldest] of this.buffers) {
      if (this.size <= MAX_BUFFERED_RECORDS) break;
      this.drop(oldest);
    }
  }

  private drop(id: string): void {
    const buffered = this.buffers.get(id);
    if (buffered === undefined) return;
    this.buffers.delete(id);
    this.size -= buffered.records.length - buffered.at;
  }
}

function key(topic: string, partition: number, readCommitted: boolean): string {
  return `${topic}\u0000${partition}\u0000${readCommitted ? 'c' : 'u'}`;
}
