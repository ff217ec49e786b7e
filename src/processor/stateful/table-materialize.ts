import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';

/**
 * Materializes a derived table (a join result) in a store: writes each change's new value and
 * forwards the change with the value it replaced, so the table is queryable and joinable.
 */
export function tableMaterialize<K, V>(storeName: string): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let store: KeyValueStore<K, V>;
    let forward: (r: StreamRecord<K, Change<V>>) => void;
    return {
      init: (context) => {
        store = context.getStateStore(storeName);
        forward = (r) => context.forward(r);
      },
      process: (record) => {
        const oldValue = store.get(record.key);
        const { newValue } = record.value;
        if (newValue === undefined && oldValue === undefined) return;
        store.put(record.key, newValue);
        forward(record.withValue({ newValue, oldValue }));
      },
    };
  };
}
