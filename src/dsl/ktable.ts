import type { ProcessorSupplier } from '../processor/processor.js';
import type { Change } from '../processor/stateful/change.js';
import { suppress } from '../processor/stateful/suppress.js';
import { tableFilter, tableMapValues, tableToStream } from '../processor/stateful/table-operators.js';
import { TopologyError } from '../processor/topology-error.js';
import type { Serde } from '../serdes/serde.js';
import { Serdes } from '../serdes/serdes.js';
import { Stores } from '../state/stores.js';
import type { Graph } from './internals/graph.js';
import { KStream } from './kstream.js';
import type { Named } from './options.js';
import type { Suppressed } from './suppressed.js';
import { changeSerde } from '../processor/stateful/change-serde.js';
import { tableGroupBy } from '../processor/stateful/table-group-by.js';
import { KGroupedTable } from './kgrouped-table.js';
import type { Grouped } from './materialized.js';

/** What a windowed table knows about its windows (for suppress). @internal */
export type WindowedTableInfo = { graceMs: number; innerKeySerde: Serde<unknown> | undefined };

/**
 * A changelog stream read as a table: the latest value per key. Its operators forward changes
 * (new value and the old one it replaces). Kafka Streams equivalent: `KTable<K, V>`.
 *
 * @example
 * builder.stream('words').groupBy((_k, w) => w).count({ name: 'word-counts' }).toStream().to('counts');
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** Name of the store holding this table's values, if it is materialized (queryable with app.store). */
    readonly queryableStoreName: string | undefined,
    /** @internal */ readonly windowed: WindowedTableInfo | undefined = undefined,
  ) {}

  private then<V2>(prefix: string, named: Named | undefined, supplier: ProcessorSupplier<K, Change<V>, K, Change<V2>>, valueSerde: Serde<V2> | undefined): KTable<K, V2> {
    const name = this.graph.nodeName(prefix, named?.name);
    const parent = this.nodeName;
    this.graph.add((t) => t.addProcessor(name, supplier, parent));
    return new KTable(this.graph, name, this.keySerde, valueSerde, undefined, this.windowed);
  }

  /** Keeps the rows for which `predicate` holds; a row that stops matching is deleted downstream. */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    return this.then('KTABLE-FILTER', named, tableFilter(predicate), this.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    return this.then('KTABLE-FILTER', named, tableFilter<K, V>((k, v) => !predicate(k, v)), this.valueSerde);
  }

  mapValues<V2>(mapper: (key: K, value: V) => V2, named?: Named): KTable<K, V2> {
    return this.then('KTABLE-MAPVALUES', named, tableMapValues(mapper), undefined);
  }

  /** The table's changes as a stream: each update is a record, a delete a record with a null value. */
  toStream(named?: Named): KStream<K, V> {
    const name = this.graph.nodeName('KTABLE-TOSTREAM', named?.name);
    const parent = this.nodeName;
    this.graph.add((t) => t.addProcessor(name, tableToStream<K, V>(), parent));
    return new KStream<K, V>(this.graph, name, this.keySerde, this.valueSerde);
  }

  /**
   * Regroups the table's rows by a new key for an aggregation with an adder and a subtractor.
   * Rows travel through an internal repartition topic; without `grouped.value` their values are
   * written there as JSON.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => readonly [K2, V2], grouped: Grouped<K2, V2> = {}): KGroupedTable<K2, V2> {
    const name = this.graph.nodeName('KTABLE-SELECT', undefined);
    const parent = this.nodeName;
    this.graph.add((t) => t.addProcessor(name, tableGroupBy(selector), parent));
    const valueSerde = changeSerde<V2>(grouped.value ?? Serdes.json<V2>());
    const mapped = new KStream<K2, Change<V2>>(this.graph, name, grouped.key, valueSerde, true);
    const repartitioned = mapped.repartition({ ...(grouped.name !== undefined && { name: grouped.name }), ...(grouped.key !== undefined && { key: grouped.key }), value: valueSerde });
    return new KGroupedTable<K2, V2>(this.graph, repartitioned.nodeName, grouped.key, grouped.value);
  }

  /**
   * Holds updates back and emits only what the policy lets through: final window results
   * (`Suppressed.untilWindowCloses()`, windowed tables only) or rate-limited updates.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    if (suppressed.kind === 'window-close' && this.windowed === undefined) {
      throw new TopologyError('Suppressed.untilWindowCloses() needs a windowed table (groupByKey().windowedBy(...).count() and the like)');
    }
    const name = this.graph.nodeName('KTABLE-SUPPRESS', suppressed.name);
    const storeName = `${suppressed.name ?? name}-STATE-STORE`.replace(/[^a-zA-Z0-9._-]/g, '_');
    const spec = suppressed.kind === 'window-close' ? { kind: 'window-close' as const, graceMs: this.windowed!.graceMs } : { kind: 'time-limit' as const, waitMs: suppressed.waitMs, maxRecords: suppressed.maxRecords };
    const keySerde = this.windowed !== undefined ? this.windowed.innerKeySerde : (this.keySerde as Serde<unknown> | undefined);
    const supplier = suppress<K, V>(storeName, spec, { key: keySerde, value: this.valueSerde, windowed: this.windowed !== undefined });
    const parent = this.nodeName;
    const store = Stores.keyValueStore({ name: storeName, store: 'memory', caching: false, keySerde: Serdes.bytes(), valueSerde: Serdes.bytes() });
    this.graph.add((t) => {
      t.addProcessor(name, supplier, parent);
      t.addStateStore(store, name);
    });
    return new KTable(this.graph, name, this.keySerde, this.valueSerde, undefined, this.windowed);
  }
}
