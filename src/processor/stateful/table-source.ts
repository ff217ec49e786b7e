import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';

/**
 * Turns a topic's records into table updates: each record is the key's new value (null deletes
 * it), written to the table's store and forwarded as a change. Null keys are dropped (counted).
 */
export function tableSource<K, V>(storeName: string): ProcessorSupplier<K, V | null, K, Change<V>> {
  return () => {
    let store: StagedKeyValueStore<K, V>;
    let out: AggregateOutput<K, V>;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        store = context.getStateStore<StagedKeyValueStore<K, V>>(storeName);
        out = new AggregateOutput(context, store);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value } = record;
        if (key === null || key === undefined) return dropped('null key in a table');
        const old = store.get(key);
        const next = value === null || value === undefined ? undefined : value;
        if (next === undefined && old === undefined) return;
        store.put(key, next);
        out.send(keyIdentity(key), key, next, old, record.timestamp);
      },
    };
  };
}
