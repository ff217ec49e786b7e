import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';

/**
 * KGroupedTable aggregation: a row's old value is taken out with `subtractor`, its new value put
 * in with `adder`, so the aggregate follows updates and deletes of the table.
 */
export function tableAggregate<K, V, A>(
  storeName: string,
  initializer: () => A,
  adder: (key: K, value: V, aggregate: A) => A,
  subtractor: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, Change<V>, K, Change<A>> {
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
        if (key === null || key === undefined) return dropped('null key in a table aggregation');
        const old = store.get(key);
        let agg = old === undefined ? initializer() : old;
        if (value.oldValue !== undefined) agg = subtractor(key, value.oldValue, agg);
        if (value.newValue !== undefined) agg = adder(key, value.newValue, agg);
        store.put(key, agg);
        out.send(keyIdentity(key), key, agg, old, record.timestamp);
      },
    };
  };
}
