import type { Serde } from '../serdes/serde.js';

/**
 * A table every app instance holds in full, loaded from all partitions of its topic before
 * processing starts and kept up to date: enrichment data a stream joins by any key it selects
 * (`stream.join(globalTable, keySelector, joiner)`), with no co-partitioning. Kafka Streams equivalent: `GlobalKTable<K, V>`.
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    /** Name of the store holding the table (queryable with app.store). */
    readonly queryableStoreName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
  ) {}
}
