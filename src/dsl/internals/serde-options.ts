import type { Serde } from '../../serdes/serde.js';

/** Serde options without undefined members (exactOptionalPropertyTypes). */
export function serdes<K, V>(key: Serde<K> | undefined, value: Serde<V> | undefined): { keySerde?: Serde<K>; valueSerde?: Serde<V> } {
  return { ...(key && { keySerde: key }), ...(value && { valueSerde: value }) };
}
