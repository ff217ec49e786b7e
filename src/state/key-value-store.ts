import type { KeyValue, StateStore } from './state-store.js';

/**
 * Read access to a key-value store, for interactive queries (`app.store(name)`) and tests.
 * Scans are in the byte order of the serialized keys, as in Kafka Streams.
 */
export interface ReadOnlyKeyValueStore<K, V> extends StateStore {
  get(key: K): V | undefined;
  /** Entries with from <= key <= to (either bound may be left out). */
  range(from: K | undefined, to: K | undefined): Promise<KeyValue<K, V>[]>;
  all(): Promise<KeyValue<K, V>[]>;
  approximateNumEntries(): Promise<number>;
}

/**
 * A key-value store a processor reads and writes. Writes are staged until the task commits and
 * reads see them at once. Kafka Streams equivalent: `KeyValueStore<K, V>`.
 *
 * @example
 * const store = context.getStateStore<KeyValueStore<string, number>>('counts');
 * store.put(key, (store.get(key) ?? 0) + 1);
 */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  /** Writes `value`; null or undefined deletes the key. */
  put(key: K, value: V | null | undefined): void;
  /** Writes only when the key has no value; returns the value that was there. */
  putIfAbsent(key: K, value: V): V | undefined;
  putAll(entries: readonly KeyValue<K, V | null>[]): void;
  /** Deletes the key; returns the value it had. */
  delete(key: K): V | undefined;
}
