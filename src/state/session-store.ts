import type { Windowed } from '../serdes/windowed.js';
import type { KeyValue, StateStore } from './state-store.js';

/** Read access to a session store, for interactive queries and tests. Kafka Streams: `ReadOnlySessionStore`. */
export interface ReadOnlySessionStore<K, V> extends StateStore {
  /** Every session of `key`, oldest first. */
  fetch(key: K): KeyValue<Windowed<K>, V>[];
  /** Sessions of `key` that end at or after `earliestSessionEnd` and start at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[];
  /** The value of exactly this session, if stored. */
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined;
  all(): Promise<KeyValue<Windowed<K>, V>[]>;
}

/** Aggregates per key and session window. Kafka Streams equivalent: `SessionStore<K, V>`. */
export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V> {
  put(session: Windowed<K>, value: V): void;
  remove(session: Windowed<K>): void;
}
