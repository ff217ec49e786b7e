import { streamAggregate, streamReduce, type Aggregator } from '../processor/stateful/stream-aggregate.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serdes/serde.js';
import { Serdes } from '../serdes/serdes.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { addStatefulProcessor } from './internals/stateful-step.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { SlidingWindowedKStream } from './sliding-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import { SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

/**
 * A stream grouped by key (records of one key are in one partition), ready to aggregate.
 * Kafka Streams equivalent: `KGroupedStream<K, V>`.
 */
export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
  ) {}

  private aggregateWith<A>(prefix: string, supplier: (store: string) => ProcessorSupplier<K, V, unknown, unknown>, materialized: Materialized<K, A>, defaultValueSerde: Serde<A> | undefined): KTable<K, A> {
    const name = this.graph.nodeName(prefix);
    const storeName = materialized.name ?? this.graph.nodeName(`${prefix}-STATE-STORE`);
    const keySerde = materialized.keySerde ?? this.keySerde;
    const valueSerde = materialized.valueSerde ?? defaultValueSerde;
    const store = Stores.keyValueStore<K, A>(storeOptionsFrom(storeName, materialized, keySerde, valueSerde));
    addStatefulProcessor(this.graph, name, supplier(storeName) as ProcessorSupplier<never, never, unknown, unknown>, this.nodeName, store);
    return new KTable<K, A>(this.graph, name, keySerde, valueSerde, storeName);
  }

  /** Number of records per key (int64 values by default). */
  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.aggregateWith('KSTREAM-AGGREGATE', (s) => streamAggregate<K, V, number>(s, () => 0, (_k, _v, n) => n + 1), materialized, Serdes.int64());
  }

  /** Combines each key's values with `reducer`; the first value starts the aggregate. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.aggregateWith('KSTREAM-REDUCE', (s) => streamReduce<K, V>(s, reducer), materialized, this.valueSerde);
  }

  /** Folds each key's values into an aggregate that starts as `initializer()`. Return a new aggregate; do not change the one passed in. */
  aggregate<A>(initializer: () => A, aggregator: Aggregator<K, V, A>, materialized: Materialized<K, A> = {}): KTable<K, A> {
    return this.aggregateWith('KSTREAM-AGGREGATE', (s) => streamAggregate<K, V, A>(s, initializer, aggregator), materialized, undefined);
  }

  /** Aggregates per window of the given kind. */
  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: SlidingWindows): SlidingWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SessionWindows | SlidingWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> | SlidingWindowedKStream<K, V> {
    if (windows instanceof TimeWindows) return new TimeWindowedKStream(this.graph, this.nodeName, this.keySerde, this.valueSerde, windows);
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this.graph, this.nodeName, this.keySerde, this.valueSerde, windows);
    return new SlidingWindowedKStream(this.graph, this.nodeName, this.keySerde, this.valueSerde, windows);
  }
}
