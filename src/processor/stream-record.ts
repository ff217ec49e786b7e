/** Record headers: names to raw bytes, as on the log. */
export type Headers = Readonly<{ [name: string]: Buffer }>;

const NO_HEADERS: Headers = Object.freeze({});

/**
 * One record flowing through a topology: key, value, timestamp (ms) and headers. Immutable; the
 * `with*` methods return a copy. Kafka Streams equivalent: `org.apache.kafka.streams.processor.api.Record`
 * (named StreamRecord here so it does not shadow TypeScript's built-in `Record` type).
 *
 * @example
 * context.forward(record.withValue(record.value.toUpperCase()));
 */
export class StreamRecord<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    readonly headers: Headers = NO_HEADERS,
  ) {}

  withKey<K2>(key: K2): StreamRecord<K2, V> {
    return new StreamRecord(key, this.value, this.timestamp, this.headers);
  }

  withValue<V2>(value: V2): StreamRecord<K, V2> {
    return new StreamRecord(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, this.timestamp, headers);
  }
}
