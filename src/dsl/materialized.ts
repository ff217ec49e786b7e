import type { Serde } from '../serdes/serde.js';

/**
 * Options of a stateful operator's store (count, reduce, aggregate, table). Kafka Streams:
 * `Materialized`. Defaults: LevelDB, logged, caching on, a generated name.
 */
export type Materialized<K, V> = {
  /** Store name: queryable with app.store(name); names the changelog `<applicationId>-<name>-changelog`. */
  readonly name?: string;
  /** Forward one result per key per commit instead of every update (default true). */
  readonly caching?: boolean;
  /** Back the store with a changelog topic (default true). */
  readonly logging?: boolean;
  readonly store?: 'level' | 'memory';
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** Windowed stores: how long windows stay queryable (default window size + grace). */
  readonly retentionMs?: number;
};

/** How to group a stream: serdes of the repartition topic, and its name. Kafka Streams: `Grouped`. */
export type Grouped<K, V> = { readonly name?: string; readonly key?: Serde<K>; readonly value?: Serde<V> };
