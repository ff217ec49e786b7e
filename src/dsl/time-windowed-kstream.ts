import type { ProcessorSupplier } from '../processor/processor.js';
import type { Aggregator } from '../processor/stateful/stream-aggregate.js';
import { timeWindowAggregate } from '../processor/stateful/time-window-aggregate.js';
import type { Serde } from '../serdes/serde.js';
import type { Windowed } from '../serdes/windowed.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { addStatefulProcessor } from './internals/stateful-step.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import type { KTable } from './ktable.js';
import { WindowAggregations } from './internals/window-aggregations.js';
import { windowedTable } from './internals/windowed-table.js';
import type { Materialized } from './materialized.js';
import type { TimeWindows } from './windows.js';

/**
 * A grouped stream cut into tumbling or hopping windows; aggregations give one value per key and
 * window. Kafka Streams equivalent: `TimeWindowedKStream<K, V>`.
 */
export class TimeWindowedKStream<K, V> extends WindowAggregations<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    private readonly parent: string,
    private readonly keySerde: Serde<K> | undefined,
    protected readonly valueSerde: Serde<V> | undefined,
    private readonly windows: TimeWindows,
  ) {
    super();
  }

  protected build<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<Windowed<K>, A> {
    const name = this.graph.nodeName('KSTREAM-AGGREGATE');
    const storeName = materialized.name ?? this.graph.nodeName('KSTREAM-AGGREGATE-STATE-STORE');
    const keySerde = materialized.keySerde ?? this.keySerde;
    const valueSerde = materialized.valueSerde ?? defaultValueSerde;
    const w = this.windows;
    const store = Stores.windowStore<K, A>({
      ...storeOptionsFrom(storeName, materialized, keySerde, valueSerde),
      retentionMs: materialized.retentionMs ?? w.sizeMs + w.graceMs,
      windowSizeMs: w.sizeMs,
    });
    const supplier = timeWindowAggregate<K, V, A>(storeName, { sizeMs: w.sizeMs, advanceMs: w.advanceMs, graceMs: w.graceMs }, initializer, aggregator);
    addStatefulProcessor(this.graph, name, supplier as ProcessorSupplier<never, never, unknown, unknown>, this.parent, store);
    return windowedTable(this.graph, name, keySerde, valueSerde, storeName, w.graceMs);
  }
}
