import type { Aggregator } from '../../processor/stateful/stream-aggregate.js';
import { reduceAsAggregate } from '../../processor/stateful/reduce-as-aggregate.js';
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Windowed } from '../../serdes/windowed.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';

/**
 * count, reduce and aggregate of a stream grouped into time or sliding windows; a subclass says
 * how one aggregation is wired (its store and processor).
 */
export abstract class WindowAggregations<K, V> {
  protected abstract readonly valueSerde: Serde<V> | undefined;

  protected abstract build<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<Windowed<K>, A>;

  /** Records per key and window. */
  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build(() => 0, (_k, _v, n) => n + 1, materialized, Serdes.int64());
  }

  /** Combines the values of each key and window with `reducer`. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    const r = reduceAsAggregate(reducer);
    return this.build<V>(r.initializer, r.aggregator, materialized, this.valueSerde);
  }

  /** Folds the values of each key and window into an aggregate that starts as `initializer()`. */
  aggregate<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, materialized: Materialized<K, A> = {}): KTable<Windowed<K>, A> {
    return this.build(initializer, aggregator, materialized, undefined);
  }
}
