/**
 * What a table operator forwards: a key's new value and the one it replaces (undefined = none,
 * i.e. a tombstone or a first insert). Kafka Streams: `Change<V>`.
 */
export type Change<V> = { readonly newValue: V | undefined; readonly oldValue: V | undefined };

/** A stable string for a key, to coalesce updates per key in memory. */
export function keyIdentity(key: unknown): string {
  return typeof key === 'object' && key !== null ? `o${JSON.stringify(key)}` : `${typeof key}:${String(key)}`;
}
