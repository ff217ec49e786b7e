import type { Windowed } from '../serdes/windowed.js';
import type { KeyValue, StateStore } from './state-store.js';

/** Read access to a window store, for interactive queries and tests. Kafka Streams: `ReadOnlyWindowStore`. */
export interface ReadOnlyWindowStore<K, V> extends StateStore {
  /** The value of the window of `key` that starts at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** The windows of `key` starting in [timeFrom, timeTo], oldest first; `key` of each entry is the window start. */
  fetch(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[];
  /** Every window starting in [timeFrom, timeTo], across keys. */
  fetchAll(timeFrom: number, timeTo: number): Promise<KeyValue<Windowed<K>, V>[]>;
  all(): Promise<KeyValue<Windowed<K>, V>[]>;
}

/**
 * Values per key and window start, kept for the store's retention period (older windows are
 * dropped). Kafka Streams equivalent: `WindowStore<K, V>`.
 */
export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  /** Writes the window's value; null deletes it (unless the store keeps duplicates). */
  put(key: K, value: V | null, windowStart: number): void;
}
