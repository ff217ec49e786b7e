import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { InvalidConfigError, SerializationError, type PartitionedLog, type ProducerRecord, type RecordMetadata, type Serde } from '../index.js';
import type { RecordToSend } from './topic-record.js';

export type ToTopicOptions<K, V> = {
  key: Serde<K>;
  value: Serde<V>;
  /** Records per produce call. Default 500. */
  batchSize?: number;
  /** How long a record may wait for its batch to fill. Default 10 ms. */
  lingerMs?: number;
};

/**
 * An operator that writes each record to `topic` on `log` and emits where it landed, in the order
 * the records came. Records go in batches (one produce call each, never one per record). When the
 * source errs, or a record cannot be serialized, the records before it are still written and then
 * the error goes on; nothing after it is written. It completes once every record is written.
 * Options out of range throw InvalidConfigError when the operator is made.
 *
 * @example
 * await lastValueFrom(clicks$.pipe(map((c) => ({ key: c.user, value: c })), toTopic(log, 'clicks', { key: Serdes.string(), value: Serdes.json<Click>() }), count()));
 */
export function toTopic<K, V>(log: PartitionedLog, topic: string, options: ToTopicOptions<K, V>): OperatorFunction<RecordToSend<K, V>, RecordMetadata> {
  const { key, value, batchSize = 500, lingerMs = 10 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidConfigError('batchSize', `expected an integer >= 1, got ${String(batchSize)}`);
  if (typeof lingerMs !== 'number' || !(lingerMs >= 0)) throw new InvalidConfigError('lingerMs', `expected a number >= 0, got ${String(lingerMs)}`);
  return (source) =>
    new Observable<RecordMetadata>((subscriber) => {
      let batch: ProducerRecord[] = [];
      let linger: NodeJS.Timeout | undefined;
      // Produce calls run one after another, so metadata comes out in the records' order.
      let written: Promise<void> = Promise.resolve();
      const flush = () => {
        clearTimeout(linger);
        linger = undefined;
        if (batch.length === 0) return;
        const records = batch;
        batch = [];
        written = written.then(async () => {
          if (subscriber.closed) return;
          for (const m of await log.produce(records)) subscriber.next(m);
        });
        // A failed write ends it at once, though the source may never end: later batches are dropped.
        written.catch((e: unknown) => {
          stopped = true;
          subscription?.unsubscribe();
          subscriber.error(e);
        });
      };
      const end = (error?: unknown) => {
        flush();
        written.then(
          () => (error === undefined ? subscriber.complete() : subscriber.error(error)),
          (e: unknown) => subscriber.error(e),
        );
      };
      // Set when a record cannot be serialized or a write failed: the source is let go (a synchronous
      // one may still be inside subscribe(), so `subscription` is not known yet) and its later records
      // are ignored.
      let stopped = false;
      let subscription: Subscription | undefined = undefined;
      subscription = source.subscribe({
        next: (r) => {
          if (stopped) return;
          let record: ProducerRecord;
          try {
            record = {
              topic,
              key: r.key === null ? null : key.serialize(topic, r.key),
              value: r.value === null ? null : value.serialize(topic, r.value),
              ...(r.partition !== undefined && { partition: r.partition }),
              ...(r.timestamp !== undefined && { timestamp: r.timestamp }),
              ...(r.headers !== undefined && { headers: r.headers }),
            };
          } catch (e) {
            stopped = true;
            subscription?.unsubscribe();
            return end(e instanceof SerializationError ? e : new SerializationError(`cannot serialize a record for topic "${topic}": ${(e as Error).message}`, undefined, e));
          }
          batch.push(record);
          if (batch.length >= batchSize) flush();
          else linger ??= setTimeout(flush, lingerMs);
        },
        error: (e: unknown) => void (stopped || end(e)),
        complete: () => void (stopped || end()),
      });
      if (stopped) subscription.unsubscribe();
      return () => {
        clearTimeout(linger);
        subscription?.unsubscribe();
      };
    });
}
