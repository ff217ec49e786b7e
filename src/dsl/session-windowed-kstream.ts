import type { ProcessorSupplier } from '../processor/processor.js';
import { reduceAsAggregate } from '../processor/stateful/reduce-as-aggregate.js';
import { sessionWindowAggregate, type Merger } from '../processor/stateful/session-window-aggregate.js';
import type { Aggregator } from '../processor/stateful/stream-aggregate.js';
import { TopologyError } from '../processor/topology-error.js';
import type { Serde } from '../serdes/serde.js';
import { Serdes } from '../serdes/serdes.js';
import type { Windowed } from '../serdes/windowed.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { addStatefulProcessor } from './internals/stateful-step.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import type { KTable } from './ktable.js';
import { windowedTable } from './internals/windowed-table.js';
import type { Materialized } from './materialized.js';
import type { SessionWindows } from './windows.js';

/**
 * A grouped stream cut into sessions of activity; aggregations give one value per key and
 * session, and merging sessions deletes (tombstones) the merged ones. Kafka Streams equivalent:
 * `SessionWindowedKStream<K, V>`.
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly windows: SessionWindows,
  ) {}

  private build<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, merger: Merger<K, A>, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<Windowed<K>, A> {
    const name = this.graph.nodeName('KSTREAM-SESSION-AGGREGATE');
    const storeName = materialized.name ?? this.graph.nodeName('KSTREAM-SESSION-AGGREGATE-STATE-STORE');
    const keySerde = materialized.keySerde ?? this.keySerde;
    const valueSerde = materialized.valueSerde ?? defaultValueSerde;
    const w = this.windows;
    // A record still in grace may join sessions ending up to two gaps before stream time - grace.
    const needed = 2 * w.gapMs + w.graceMs + 1;
    if (materialized.retentionMs !== undefined && materialized.retentionMs < needed) {
      throw new TopologyError(`Session store "${storeName}": retentionMs must be at least 2 × gap + grace + 1 = ${needed} ms, got ${materialized.retentionMs}`);
    }
    const store = Stores.sessionStore<K, A>({ ...storeOptionsFrom(storeName, materialized, keySerde, valueSerde), retentionMs: materialized.retentionMs ?? needed });
    const supplier = sessionWindowAggregate<K, V, A>(storeName, { gapMs: w.gapMs, graceMs: w.graceMs }, initializer, aggregator, merger);
    addStatefulProcessor(this.graph, name, supplier as ProcessorSupplier<never, never, unknown, unknown>, this.parent, store);
    return windowedTable(this.graph, name, keySerde, valueSerde, storeName, w.graceMs);
  }

  count(materialized: Materialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.build(() => 0, (_k, _v, n) => n + 1, (_k, a, b) => a + b, materialized, Serdes.int64());
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<Windowed<K>, V> {
    const r = reduceAsAggregate(reducer);
    return this.build<V>(r.initializer, r.aggregator, (_k, a, b) => r.combine(a, b), materialized, this.valueSerde);
  }

  /** `merger` combines the aggregates of two sessions a record joins. */
  aggregate<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, merger: Merger<K, A>, materialized: Materialized<K, A> = {}): KTable<Windowed<K>, A> {
    return this.build(initializer, aggregator, merger, materialized, undefined);
  }
}
