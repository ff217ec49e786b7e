import type { Serde } from '../../serdes/serde.js';
import type { Headers } from '../stream-record.js';

/** A record as a test output topic returns it. */
export type TestRecord<K, V> = { key: K; value: V; timestamp: number; headers: Headers };

/** What the driver keeps of a record a sink wrote. */
export type CapturedRecord = { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Headers };

/**
 * Reads what the topology wrote to one topic, in output order; each read consumes the records it
 * returns. Kafka Streams equivalent: `TestOutputTopic`.
 */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    readonly topic: string,
    private readonly queue: CapturedRecord[],
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  private decode(r: CapturedRecord): TestRecord<K, V> {
    return {
      key: (r.key === null ? null : this.keySerde.deserialize(this.topic, r.key)) as K,
      value: (r.value === null ? null : this.valueSerde.deserialize(this.topic, r.value)) as V,
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  getQueueSize(): number {
    return this.queue.length;
  }

  readRecord(): TestRecord<K, V> {
    const r = this.queue.shift();
    if (r === undefined) throw new Error(`No more records in output topic "${this.topic}"`);
    return this.decode(r);
  }

  readValue(): V {
    return this.readRecord().value;
  }

  readKeyValue(): { key: K; value: V } {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    return this.queue.splice(0).map((r) => this.decode(r));
  }

  readKeyValuesToList(): { key: K; value: V }[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  readValuesToList(): V[] {
    return this.readRecordsToList().map((r) => r.value);
  }
}
