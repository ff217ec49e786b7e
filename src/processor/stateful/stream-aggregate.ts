import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';
import { reduceAsAggregate } from './reduce-as-aggregate.js';

/** Folds a value into a key's aggregate; `aggregate` is the current one (initializer's when new). */
export type Aggregator<K, V, A> = (key: K, value: V, aggregate: A) => A;

/**
 * KGroupedStream aggregation into a key-value store: one running aggregate per key. Records with
 * a null key or value are dropped (and counted), as in Kafka Streams. Aggregators should return a
 * new value rather than change the one passed in: the old value is forwarded next to the new one.
 */
export function streamAggregate<K, V, A>(storeName: string, initializer: () => A, aggregator: Aggregator<K, V, A>): ProcessorSupplier<K, V, K, Change<A>> {
  return () => {
    let store: StagedKeyValueStore<K, A>;
    let out: AggregateOutput<K, A>;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        store = context.getStateStore<StagedKeyValueStore<K, A>>(storeName);
        out = new AggregateOutput(context, store);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value } = record;
        if (key === null || key === undefined || value === null || value === undefined) return dropped('null key or value in an aggregation');
        const old = store.get(key);
        const next = aggregator(key, value, old === undefined ? initializer() : old);
        store.put(key, next);
        out.send(keyIdentity(key), key, next, old, record.timestamp);
      },
    };
  };
}

/** Kafka Streams' reduce: the first value is the aggregate as it is, later ones are combined. */
export function streamReduce<K, V>(storeName: string, reducer: (aggregate: V, value: V) => V): ProcessorSupplier<K, V, K, Change<V>> {
  const r = reduceAsAggregate(reducer);
  return streamAggregate<K, V, V>(storeName, r.initializer, r.aggregator);
}
