import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { DROPPED, keyValueUpdate } from './key-value-update.js';
import { reduceAsAggregate } from './reduce-as-aggregate.js';

/** Folds a value into a key's aggregate; `aggregate` is the current one (initializer's when new). */
export type Aggregator<K, V, A> = (key: K, value: V, aggregate: A) => A;

/**
 * KGroupedStream aggregation into a key-value store: one running aggregate per key. Records with
 * a null key or value are dropped (and counted), as in Kafka Streams. Aggregators should return a
 * new value rather than change the one passed in: the old value is forwarded next to the new one.
 */
export function streamAggregate<K, V, A>(storeName: string, initializer: () => A, aggregator: Aggregator<K, V, A>): ProcessorSupplier<K, V, K, Change<A>> {
  return keyValueUpdate<K, V, A>(storeName, 'null key or value in an aggregation', (key, { value }, old) =>
    value === null || value === undefined ? DROPPED : aggregator(key, value, old === undefined ? initializer() : old),
  );
}

/** Kafka Streams' reduce: the first value is the aggregate as it is, later ones are combined. */
export function streamReduce<K, V>(storeName: string, reducer: (aggregate: V, value: V) => V): ProcessorSupplier<K, V, K, Change<V>> {
  const r = reduceAsAggregate(reducer);
  return streamAggregate<K, V, V>(storeName, r.initializer, r.aggregator);
}
