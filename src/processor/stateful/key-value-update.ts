import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';

/** What `next` returns to leave the store and the output as they are for this record. */
export const UNCHANGED: unique symbol = Symbol('unchanged');
/** What `next` returns to drop the record (counted, for `dropReason`). */
export const DROPPED: unique symbol = Symbol('dropped');

/**
 * The processor that aggregations and tables share: per record, read the key's entry in a
 * key-value store, compute its next value (`undefined` deletes it), write it, and send the change
 * on (held until the commit while the store caches). `dropReason` says why a record is dropped
 * (counted): one with a null key, or one `next` refuses.
 */
export function keyValueUpdate<K, V, A>(
  storeName: string,
  dropReason: string,
  next: (key: K, record: StreamRecord<K, V>, old: A | undefined) => A | undefined | typeof UNCHANGED | typeof DROPPED,
): ProcessorSupplier<K, V, K, Change<A>> {
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
        const key = record.key;
        if (key === null || key === undefined) return dropped(dropReason);
        const old = store.get(key);
        const value = next(key, record, old);
        if (value === UNCHANGED) return;
        if (value === DROPPED) return dropped(dropReason);
        store.put(key, value);
        out.send(keyIdentity(key), key, value, old, record.timestamp);
      },
    };
  };
}
