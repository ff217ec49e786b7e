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
import type { Grouped, Materialized } from './materialized.js';
import { mappedValueGetter, storeValueGetter, type TableValueGetter } from '../processor/joins/table-value-getter.js';
import { joinerWithKey, type ValueJoinerWithKey } from '../processor/joins/value-joiner.js';
import type { TableJoinKind } from '../processor/joins/table-table-join.js';
import { addForeignKeyJoin, addTableTableJoin } from './internals/table-joins.js';
import { materializeTable, type DerivedTable } from './internals/materialize-table.js';

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
    getter?: TableValueGetter<K, V>,
  ) {
    this.getter = (getter ?? (queryableStoreName !== undefined && windowed === undefined ? storeValueGetter<K, V>(queryableStoreName) : undefined)) as TableValueGetter<unknown, unknown> | undefined;
  }

  /** @internal How joins read this table by key; undefined for windowed and suppressed tables. */
  readonly getter: TableValueGetter<unknown, unknown> | undefined;

  private then<V2>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<K, Change<V>, K, Change<V2>>,
    valueSerde: Serde<V2> | undefined,
    read: ((key: K, value: V) => V2 | undefined) | undefined,
    materialized: Materialized<K, V2> | undefined,
  ): KTable<K, V2> {
    const name = this.graph.nodeName(prefix, named?.name);
    const parent = this.nodeName;
    this.graph.add((t) => t.addProcessor(name, supplier, parent));
    const getter = this.getter === undefined || read === undefined ? undefined : mappedValueGetter(this.getter as TableValueGetter<K, V>, read);
    if (materialized === undefined) return new KTable(this.graph, name, this.keySerde, valueSerde, undefined, this.windowed, getter);
    if (this.windowed !== undefined) throw new TopologyError(`${prefix} of a windowed table cannot be materialized; query the windowed store it comes from`);
    const result = materializeTable(this.graph, name, materialized as Materialized<unknown, unknown>, this.keySerde, undefined);
    const serde = materialized.valueSerde ?? valueSerde;
    return new KTable(this.graph, result.nodeName, this.keySerde, serde, result.storeName, undefined, result.getter as TableValueGetter<K, V2> | undefined);
  }

  /**
   * Keeps the rows for which `predicate` holds; a row that stops matching is deleted downstream.
   * Give `materialized` to keep the result in a store of its own (queryable by its name; its
   * `caching` is not used: every change is forwarded, as for join results).
   *
   * @example
   * accounts.filter((_id, a) => a.balance < 0, undefined, { name: 'overdrawn' });   // app.store('overdrawn')
   */
  filter(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.then('KTABLE-FILTER', named, tableFilter(predicate), this.valueSerde, (k, v) => (predicate(k, v) ? v : undefined), materialized);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.then('KTABLE-FILTER', named, tableFilter<K, V>((k, v) => !predicate(k, v)), this.valueSerde, (k, v) => (predicate(k, v) ? undefined : v), materialized);
  }

  /** Maps each row's value; `materialized` keeps the mapped rows in a store (give its valueSerde). */
  mapValues<V2>(mapper: (key: K, value: V) => V2, named?: Named, materialized?: Materialized<K, V2>): KTable<K, V2> {
    return this.then('KTABLE-MAPVALUES', named, tableMapValues(mapper), undefined, mapper, materialized);
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
    const limits = { maxRecords: suppressed.maxRecords, maxBytes: suppressed.maxBytes };
    const spec = suppressed.kind === 'window-close' ? { kind: 'window-close' as const, graceMs: this.windowed!.graceMs, ...limits } : { kind: 'time-limit' as const, waitMs: suppressed.waitMs, ...limits };
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

  /**
   * Joins two tables: on equal keys (`join(other, joiner)`), or on a foreign key taken from this
   * table's value (`join(other, foreignKeyExtractor, joiner)`; the other table's key). The result
   * is a table kept up to date on updates and deletes of either side: a row that loses its partner
   * is deleted downstream. Give `materialized` to store the result (queryable, joinable).
   * Kafka Streams: `KTable#join`.
   *
   * @example
   * customers.join(addresses, (customer, address) => ({ ...customer, address }));
   * orderLines.join(products, (line) => line.productId, (line, product) => ({ ...line, price: product.price }));
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: (left: V, right: VO) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<VO, VR>(other: KTable<K, VO>, joiner: (key: K, left: V, right: VO) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (left: V, right: VO) => VR, materialized?: Materialized<K, VR> & { joinName?: string }): KTable<K, VR>;
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (key: K, left: V, right: VO) => VR, materialized?: Materialized<K, VR> & { joinName?: string }): KTable<K, VR>;
  join(other: KTable<any, any>, a: unknown, b?: unknown, c?: unknown): KTable<K, unknown> {
    return this.joinWith('inner', other, a, b, c);
  }

  /** Like join, but every row of this table has a result, joined with null while it has no partner. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (left: V, right: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (key: K, left: V, right: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (left: V, right: VO | null) => VR, materialized?: Materialized<K, VR> & { joinName?: string }): KTable<K, VR>;
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO | null, joiner: (key: K, left: V, right: VO | null) => VR, materialized?: Materialized<K, VR> & { joinName?: string }): KTable<K, VR>;
  leftJoin(other: KTable<any, any>, a: unknown, b?: unknown, c?: unknown): KTable<K, unknown> {
    return this.joinWith('left', other, a, b, c);
  }

  /** Rows of either table, joined with null for a missing side (equal keys only). */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (left: V | null, right: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (key: K, left: V | null, right: VO | null) => VR, materialized?: Materialized<K, VR>): KTable<K, VR>;
  outerJoin(other: KTable<K, unknown>, joiner: unknown, materialized?: Materialized<K, unknown>): KTable<K, unknown> {
    return this.joinWith('outer', other as KTable<unknown, unknown>, joiner, materialized, undefined);
  }

  private joinWith(kind: TableJoinKind, other: KTable<unknown, unknown>, a: unknown, b: unknown, c: unknown): KTable<K, unknown> {
    if (!(other instanceof KTable)) throw new TopologyError('A table join needs another KTable');
    const joiner = (f: unknown) => joinerWithKey(f as ValueJoinerWithKey<unknown, unknown, unknown, unknown>);
    let result: DerivedTable;
    if (typeof b === 'function') {
      if (kind === 'outer') throw new TopologyError('A foreign-key join is join or leftJoin');
      const m = c as (Materialized<unknown, unknown> & { joinName?: string }) | undefined;
      const { joinName, ...materialized } = m ?? {};
      result = addForeignKeyJoin(this.graph, this, other, { left: kind === 'left', foreignKey: a as (v: unknown) => unknown, joiner: joiner(b), name: joinName, materialized: m === undefined ? undefined : materialized });
    } else {
      result = addTableTableJoin(this.graph, this, other, { kind, joiner: joiner(a), materialized: b as Materialized<unknown, unknown> | undefined });
    }
    const m = (typeof b === 'function' ? c : b) as Materialized<K, unknown> | undefined;
    return new KTable<K, unknown>(this.graph, result.nodeName, this.keySerde, m?.valueSerde, result.storeName, undefined, result.getter as TableValueGetter<K, unknown> | undefined);
  }

}
