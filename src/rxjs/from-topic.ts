import { Observable } from 'rxjs';
import { InvalidConfigError, SerializationError, type PartitionedLog, type Serde } from '../index.js';
import type { TopicRecord } from './topic-record.js';

export type FromTopicOptions<K, V> = {
  key: Serde<K>;
  value: Serde<V>;
  /** Where each partition is read from: its first record (default) or its end when subscribed. */
  from?: 'earliest' | 'latest';
  /** Keep waiting for new records (default); false completes once every partition is read to its end. */
  follow?: boolean;
  /** How long a caught-up reader waits before asking the log again. Default 100 ms. */
  pollIntervalMs?: number;
  /** Default read_committed: records of open or aborted transactions are never emitted. */
  isolation?: 'read_committed' | 'read_uncommitted';
};

/** Records fetched per partition per call. */
const FETCH = 500;

/**
 * The records of a topic as an Observable: each subscription reads every partition of `topic` on
 * `log` (EmbeddedLog or KafkaLog) on its own, without a consumer group, and emits records in
 * offset order per partition. Bytes its serdes cannot read end it with a SerializationError
 * naming the topic, partition and offset. Partitions added after subscribing are not read.
 * Options out of range throw InvalidConfigError when the Observable is made.
 *
 * @example
 * fromTopic(log, 'page-views', { key: Serdes.string(), value: Serdes.int64() })
 *   .pipe(filter((r) => r.value! > 100))
 *   .subscribe((r) => console.log(r.key, r.value));
 */
export function fromTopic<K, V>(log: PartitionedLog, topic: string, options: FromTopicOptions<K, V>): Observable<TopicRecord<K, V>> {
  const { key, value, from = 'earliest', follow = true, pollIntervalMs = 100, isolation = 'read_committed' } = options;
  if (from !== 'earliest' && from !== 'latest') throw new InvalidConfigError('from', `expected "earliest" or "latest", got ${String(from)}`);
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs >= 0)) throw new InvalidConfigError('pollIntervalMs', `expected a number >= 0, got ${String(pollIntervalMs)}`);
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') throw new InvalidConfigError('isolation', `expected "read_committed" or "read_uncommitted", got ${String(isolation)}`);
  return new Observable<TopicRecord<K, V>>((subscriber) => {
    let wait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
    const read = async () => {
      const positions = (await log.describeTopic(topic)).partitions.map((p) => ({ partition: p.partition, offset: from === 'latest' ? p.endOffset : p.startOffset }));
      while (!subscriber.closed) {
        let got = 0;
        for (const position of positions) {
          const records = await log.fetch({ topic, partition: position.partition, offset: position.offset, maxRecords: FETCH, isolation });
          for (const r of records) {
            if (subscriber.closed) return;
            const at = { topic, partition: r.partition, offset: r.offset };
            subscriber.next({ ...at, timestamp: r.timestamp, key: decode(key, r.key, at), value: decode(value, r.value, at), headers: r.headers });
          }
          got += records.length;
          if (records.length > 0) position.offset = records[records.length - 1]!.offset + 1;
        }
        if (got > 0) continue;
        if (!follow) return subscriber.complete();
        await new Promise<void>((resolve) => (wait = { timer: setTimeout(resolve, pollIntervalMs), resolve }));
      }
    };
    read().catch((e: unknown) => subscriber.error(e));
    // Unsubscribing ends a wait at once; a fetch in flight finishes and its records are dropped.
    return () => {
      if (wait === undefined) return;
      clearTimeout(wait.timer);
      wait.resolve();
    };
  });
}

function decode<T>(serde: Serde<T>, bytes: Buffer | null, at: { topic: string; partition: number; offset: number }): T | null {
  if (bytes === null) return null;
  try {
    return serde.deserialize(at.topic, bytes);
  } catch (e) {
    throw SerializationError.reading(e, at, 'cannot deserialize');
  }
}
