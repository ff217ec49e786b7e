import type { Serde } from '../../serdes/serde.js';
import type { Headers } from '../stream-record.js';

/** What an input topic hands the driver: serialized bytes, as they would be on a log. */
export type PipeRecord = (topic: string, key: Buffer | null, value: Buffer | null, timestamp: number | undefined, headers: Headers) => Promise<void>;

/**
 * Feeds records into a topology under test, through the same serdes a producer would use.
 * Kafka Streams equivalent: `TestInputTopic`.
 */
export class TestInputTopic<K, V> {
  /** @internal */
  constructor(
    readonly topic: string,
    private readonly pipe: PipeRecord,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** Processes one record now (timestamp defaults to the driver's wall-clock time). */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}): Promise<void> {
    const k = key === null ? null : this.keySerde.serialize(this.topic, key);
    const v = value === null ? null : this.valueSerde.serialize(this.topic, value);
    return this.pipe(this.topic, k, v, timestamp, headers);
  }

  async pipeKeyValueList(records: Iterable<{ key: K | null; value: V | null; timestamp?: number }>): Promise<void> {
    for (const r of records) await this.pipeInput(r.key, r.value, r.timestamp);
  }

  async pipeValueList(values: Iterable<V>, timestamp?: number): Promise<void> {
    for (const v of values) await this.pipeInput(null, v, timestamp);
  }
}
