import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { keyValueUpdate } from './key-value-update.js';

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
  return keyValueUpdate<K, Change<V>, A>(storeName, 'null key in a table aggregation', (key, { value }, old) => {
    let agg = old === undefined ? initializer() : old;
    if (value.oldValue !== undefined) agg = subtractor(key, value.oldValue, agg);
    if (value.newValue !== undefined) agg = adder(key, value.newValue, agg);
    return agg;
  });
}
