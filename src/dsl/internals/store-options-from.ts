import type { Serde } from '../../serdes/serde.js';
import type { StoreOptions } from '../../state/stores.js';
import type { Materialized } from '../materialized.js';

/** Store options from an operator's Materialized (and its serdes), without undefined members. */
export function storeOptionsFrom<K, A>(name: string, m: Materialized<K, A>, keySerde: Serde<K> | undefined, valueSerde: Serde<A> | undefined): StoreOptions<K, A> {
  return {
    name,
    ...(m.store !== undefined && { store: m.store }),
    ...(m.logging !== undefined && { logging: m.logging }),
    ...(m.caching !== undefined && { caching: m.caching }),
    ...(keySerde !== undefined && { keySerde }),
    ...(valueSerde !== undefined && { valueSerde }),
  };
}
