import { describe, expect, it } from 'vitest';
import { FetchBuffer } from '../../../src/runtime/log/kafka/fetch-buffer.js';
import type { LogRecord } from '../../../src/index.js';

const record = (offset: number): LogRecord => ({ topic: 't', partition: 0, offset, key: null, value: Buffer.from(String(offset)), timestamp: 0, headers: {} });
// Offsets with a gap (a transaction marker at 3), as Kafka returns them.
const fetched = [0, 1, 2, 4, 5, 6].map(record);
const offsets = (records: LogRecord[] | undefined) => records?.map((r) => r.offset);

describe('KafkaLog fetch buffer', () => {
  it('hands out a response in pieces to fetches that continue where the last one ended', () => {
    const buffer = new FetchBuffer();
    expect(offsets(buffer.split('t', 0, true, fetched, 2))).toEqual([0, 1]);
    expect(offsets(buffer.take('t', 0, true, 2, 2))).toEqual([2, 4]);
    expect(offsets(buffer.take('t', 0, true, 5, 10))).toEqual([5, 6]);
    expect(buffer.take('t', 0, true, 7, 10)).toBeUndefined(); // used up: the broker is asked
  });

  it('drops a partition buffer when a fetch starts elsewhere or in the other isolation level', () => {
    const buffer = new FetchBuffer();
    buffer.split('t', 0, true, fetched, 2);
    expect(buffer.take('t', 0, false, 2, 2)).toBeUndefined(); // read_uncommitted: not these records
    buffer.split('t', 0, true, fetched, 2);
    expect(buffer.take('t', 0, true, 4, 2)).toBeUndefined(); // a seek
    expect(buffer.take('t', 0, true, 2, 2)).toBeUndefined(); // and the buffer is gone
    buffer.split('t', 0, true, fetched, 2);
    expect(buffer.take('t', 1, true, 2, 2)).toBeUndefined(); // another partition
    buffer.forget('t'); // the topic was deleted or created again
    expect(buffer.take('t', 0, true, 2, 2)).toBeUndefined();
  });
});
