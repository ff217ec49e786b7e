import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';

/**
 * KTable.filter: a value that fails the predicate becomes a tombstone downstream; an update where
 * neither the new nor the old value passes sends nothing.
 */
export function tableFilter<K, V>(predicate: (key: K, value: V) => boolean): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let forward: (r: StreamRecord<K, Change<V>>) => void;
    const keep = (k: K, v: V | undefined) => (v !== undefined && predicate(k, v) ? v : undefined);
    return {
      init: (c) => void (forward = (r) => c.forward(r)),
      process: (r) => {
        const newValue = keep(r.key, r.value.newValue);
        const oldValue = keep(r.key, r.value.oldValue);
        if (newValue === undefined && oldValue === undefined) return;
        forward(r.withValue({ newValue, oldValue }));
      },
    };
  };
}

/** KTable.mapValues: maps new and old values (tombstones stay tombstones). */
export function tableMapValues<K, V, V2>(mapper: (key: K, value: V) => V2): ProcessorSupplier<K, Change<V>, K, Change<V2>> {
  return () => {
    let forward: (r: StreamRecord<K, Change<V2>>) => void;
    const map = (k: K, v: V | undefined) => (v === undefined ? undefined : mapper(k, v));
    return {
      init: (c) => void (forward = (r) => c.forward(r)),
      process: (r) => forward(r.withValue({ newValue: map(r.key, r.value.newValue), oldValue: map(r.key, r.value.oldValue) })),
    };
  };
}

/** KTable.toStream: each change becomes a record with the new value (null for a delete). */
export function tableToStream<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => {
    let forward: (r: StreamRecord<K, V | null>) => void;
    return {
      init: (c) => void (forward = (r) => c.forward(r)),
      process: (r) => forward(new StreamRecord(r.key, r.value.newValue ?? null, r.timestamp, r.headers)),
    };
  };
}
