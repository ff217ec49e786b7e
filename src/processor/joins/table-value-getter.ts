import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ProcessorContext } from '../processor.js';

/**
 * Reads a table's current value by key without materializing it again: a materialized table reads
 * its store, a filtered or mapped one applies its operator to its parent's value on each read.
 * Joins use it to look up the other side. Kafka Streams: `KTableValueGetterSupplier`.
 */
export type TableValueGetter<K, V> = {
  /** The stores the reading processor must be connected to. */
  readonly stores: readonly string[];
  connect(context: StoreAccess): (key: K) => V | undefined;
};

/** What a getter needs of the reading processor's context: its stores. */
type StoreAccess = Pick<ProcessorContext<unknown, unknown>, 'getStateStore'>;

export function storeValueGetter<K, V>(storeName: string): TableValueGetter<K, V> {
  return {
    stores: [storeName],
    connect: (context) => {
      const store = context.getStateStore<KeyValueStore<K, V>>(storeName);
      return (key) => store.get(key);
    },
  };
}

export function mappedValueGetter<K, V, V2>(parent: TableValueGetter<K, V>, map: (key: K, value: V) => V2 | undefined): TableValueGetter<K, V2> {
  return {
    stores: parent.stores,
    connect: (context) => {
      const get = parent.connect(context);
      return (key) => {
        const value = get(key);
        return value === undefined ? undefined : map(key, value);
      };
    },
  };
}
