import type { ProcessorSupplier } from '../processor.js';
import type { Change } from './change.js';
import { keyValueUpdate, UNCHANGED } from './key-value-update.js';

/**
 * Turns a topic's records into table updates: each record is the key's new value (null deletes
 * it), written to the table's store and forwarded as a change. Null keys are dropped (counted).
 */
export function tableSource<K, V>(storeName: string): ProcessorSupplier<K, V | null, K, Change<V>> {
  return keyValueUpdate<K, V | null, V>(storeName, 'null key in a table', (_key, { value }, old) => {
    const next = value === null || value === undefined ? undefined : value;
    return next === undefined && old === undefined ? UNCHANGED : next;
  });
}
