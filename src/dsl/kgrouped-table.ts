import type { ProcessorSupplier } from '../processor/processor.js';
import { reduceAsAggregate } from '../processor/stateful/reduce-as-aggregate.js';
import { tableAggregate } from '../processor/stateful/table-aggregate.js';
import type { Serde } from '../serdes/serde.js';
import { Serdes } from '../serdes/serdes.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { addStatefulProcessor } from './internals/stateful-step.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';

/**
 * A table regrouped by a new key (KTable.groupBy), ready to aggregate. Updates and deletes of the
 * table flow through: the old value leaves its group (subtractor), the new value joins one (adder).
 * Kafka Streams equivalent: `KGroupedTable<K, V>`.
 */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  private build<A>(prefix: string, initializer: () => A, adder: (k: K, v: V, a: A) => A, subtractor: (k: K, v: V, a: A) => A, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<K, A> {
    const name = this.graph.nodeName(prefix);
    const storeName = materialized.name ?? this.graph.nodeName(`${prefix}-STATE-STORE`);
    const keySerde = materialized.keySerde ?? this.keySerde;
    const valueSerde = materialized.valueSerde ?? defaultValueSerde;
    const store = Stores.keyValueStore<K, A>(storeOptionsFrom(storeName, materialized, keySerde, valueSerde));
    addStatefulProcessor(this.graph, name, tableAggregate<K, V, A>(storeName, initializer, adder, subtractor) as ProcessorSupplier<never, never, unknown, unknown>, this.parent, store);
    return new KTable<K, A>(this.graph, name, keySerde, valueSerde, storeName);
  }

  /** Rows per group. */
  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.build('KTABLE-AGGREGATE', () => 0, (_k, _v, n) => n + 1, (_k, _v, n) => n - 1, materialized, Serdes.int64());
  }

  /** `adder` combines a row into the group's value, `subtractor` takes one out. */
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    const r = reduceAsAggregate(adder);
    return this.build<V>('KTABLE-REDUCE', r.initializer, r.aggregator, (_k, v, a) => subtractor(a, v), materialized, this.valueSerde);
  }

  aggregate<A>(initializer: () => A, adder: (key: K, value: V, aggregate: A) => A, subtractor: (key: K, value: V, aggregate: A) => A, materialized: Materialized<K, A> = {}): KTable<K, A> {
    return this.build('KTABLE-AGGREGATE', initializer, adder, subtractor, materialized, undefined);
  }
}
