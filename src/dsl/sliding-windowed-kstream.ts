import type { ProcessorSupplier } from '../processor/processor.js';
import { slidingWindowAggregate } from '../processor/stateful/sliding-window-aggregate.js';
import type { Aggregator } from '../processor/stateful/stream-aggregate.js';
import type { Serde } from '../serdes/serde.js';
import type { Windowed } from '../serdes/windowed.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import type { KTable } from './ktable.js';
import { WindowAggregations } from './internals/window-aggregations.js';
import { windowedTable } from './internals/windowed-table.js';
import type { Materialized } from './materialized.js';
import type { SlidingWindows } from './windows.js';

/**
 * A grouped stream aggregated over sliding windows. Kafka Streams equivalent: `TimeWindowedKStream`
 * made with `SlidingWindows`. Aggregators see a window's records in timestamp order.
 */
export class SlidingWindowedKStream<K, V> extends WindowAggregations<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    protected readonly valueSerde: Serde<V> | undefined,
    private readonly windows: SlidingWindows,
  ) {
    super();
  }

  protected build<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<Windowed<K>, A> {
    const name = this.graph.nodeName('KSTREAM-SLIDING-AGGREGATE');
    const storeName = materialized.name ?? this.graph.nodeName('KSTREAM-SLIDING-AGGREGATE-STATE-STORE');
    const recordsName = `${storeName}-records`;
    const keySerde = materialized.keySerde ?? this.keySerde;
    const valueSerde = materialized.valueSerde ?? defaultValueSerde;
    const d = this.windows.timeDifferenceMs;
    const grace = this.windows.graceMs;
    const store = Stores.windowStore<K, A>({ ...storeOptionsFrom(storeName, materialized, keySerde, valueSerde), retentionMs: materialized.retentionMs ?? 2 * d + grace + 2, windowSizeMs: d });
    const records = Stores.windowStore<K, V>({
      ...storeOptionsFrom(recordsName, { ...(materialized.store !== undefined && { store: materialized.store }), ...(materialized.logging !== undefined && { logging: materialized.logging }) }, keySerde, this.valueSerde),
      retentionMs: 3 * d + grace + 3,
      windowSizeMs: d,
      retainDuplicates: true,
      caching: false,
    });
    const supplier = slidingWindowAggregate<K, V, A>(storeName, recordsName, { timeDifferenceMs: d, graceMs: grace }, initializer, aggregator);
    const parent = this.parent;
    this.graph.add((t) => {
      t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent);
      t.addStateStore(store, name);
      t.addStateStore(records, name);
    });
    return windowedTable(this.graph, name, keySerde, valueSerde, storeName, grace);
  }
}
