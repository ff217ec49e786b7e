import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import { keyIdentity, type Change } from './change.js';

/**
 * KTable.groupBy's mapping step: a row's old value is sent (to be subtracted) under the key it
 * mapped to, its new value (to be added) under its new key; one record carries both when the key
 * stays the same, so the aggregate changes once.
 */
export function tableGroupBy<K, V, K2, V2>(selector: (key: K, value: V) => readonly [K2, V2]): ProcessorSupplier<K, Change<V>, K2, Change<V2>> {
  return () => {
    let forward: (r: StreamRecord<K2, Change<V2>>) => void;
    return {
      init: (c) => void (forward = (r) => c.forward(r)),
      process: (r) => {
        const added = r.value.newValue === undefined ? undefined : selector(r.key, r.value.newValue);
        const removed = r.value.oldValue === undefined ? undefined : selector(r.key, r.value.oldValue);
        if (added !== undefined && removed !== undefined && keyIdentity(added[0]) === keyIdentity(removed[0])) {
          forward(new StreamRecord(added[0], { newValue: added[1], oldValue: removed[1] }, r.timestamp, r.headers));
          return;
        }
        if (removed !== undefined) forward(new StreamRecord(removed[0], { newValue: undefined, oldValue: removed[1] }, r.timestamp, r.headers));
        if (added !== undefined) forward(new StreamRecord(added[0], { newValue: added[1], oldValue: undefined }, r.timestamp, r.headers));
      },
    };
  };
}
