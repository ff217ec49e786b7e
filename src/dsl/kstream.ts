import type { ProcessorSupplier } from '../processor/processor.js';
import { filterRecords } from '../processor/stateless/filter-records.js';
import { flatMapRecords } from '../processor/stateless/flat-map-records.js';
import { mapRecords } from '../processor/stateless/map-records.js';
import { passThrough } from '../processor/stateless/pass-through.js';
import { peekRecords } from '../processor/stateless/peek-records.js';
import { checkTopicName } from '../processor/internals/topic-name.js';
import { StreamRecord } from '../processor/stream-record.js';
import type { TopicNameExtractor } from '../processor/topology-nodes.js';
import type { Serde } from '../serdes/serde.js';
import { BranchedKStream } from './branched-kstream.js';
import type { Graph } from './internals/graph.js';
import type { Named, Printed, ProcessOptions, Produced, Repartitioned } from './options.js';
import { serdes } from './internals/serde-options.js';
import { integerAtLeastOne } from './internals/integer-at-least-one.js';
import { KGroupedStream } from './kgrouped-stream.js';
import type { Grouped } from './materialized.js';
import { TopologyError } from '../processor/topology-error.js';
import { joinerWithKey, type ValueJoinerWithKey } from '../processor/joins/value-joiner.js';
import { addStreamGlobalTableJoin, addStreamStreamJoin, addStreamTableJoin } from './internals/stream-joins.js';
import { GlobalKTable } from './global-ktable.js';
import { JoinWindows } from './join-windows.js';
import type { Joined, StreamJoined } from './joined.js';
import { KTable } from './ktable.js';

type JoinSide = { nodeName: string; keySerde: Serde<unknown> | undefined; valueSerde: Serde<unknown> | undefined };

/**
 * A typed stream of key-value records. Every operator adds a node and returns a new handle;
 * nothing runs until the built topology runs. Kafka Streams equivalent: `KStream<K, V>`.
 *
 * Functions take `(key, value)`. Serdes follow the stream: an operator that keeps the key (or
 * value) keeps its serde, one that changes it drops it, and `to`/`repartition` then use the
 * serde given there or the application's default.
 *
 * @example
 * stream.filter((_k, v) => v.amount > 0).mapValues((_k, v) => v.amount).to('amounts', { value: Serdes.double() });
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    private readonly graph: Graph,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal True after an operator that may change keys: grouping then repartitions first. */
    readonly keyChanged = false,
  ) {}

  private then<K2, V2>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<K, V, K2, V2>,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
    changesKey = false,
  ): KStream<K2, V2> {
    const name = this.graph.nodeName(prefix, named?.name);
    const parent = this.nodeName;
    this.graph.add((t) => t.addProcessor(name, supplier, parent));
    return new KStream(this.graph, name, keySerde, valueSerde, this.keyChanged || changesKey);
  }

  /** Keeps the records for which `predicate` is true. */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.then('KSTREAM-FILTER', named, filterRecords<K, V>((r) => predicate(r.key, r.value)), this.keySerde, this.valueSerde);
  }

  /** Drops the records for which `predicate` is true. */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.then('KSTREAM-FILTER', named, filterRecords<K, V>((r) => !predicate(r.key, r.value)), this.keySerde, this.valueSerde);
  }

  /** A new key and value for each record. */
  map<K2, V2>(mapper: (key: K, value: V) => readonly [K2, V2], named?: Named): KStream<K2, V2> {
    const supplier = mapRecords<K, V, K2, V2>((r) => {
      const [k, v] = mapper(r.key, r.value);
      return new StreamRecord(k, v, r.timestamp, r.headers);
    });
    return this.then('KSTREAM-MAP', named, supplier, undefined, undefined, true);
  }

  /** A new value for each record; the key stays. */
  mapValues<V2>(mapper: (key: K, value: V) => V2, named?: Named): KStream<K, V2> {
    return this.then('KSTREAM-MAPVALUES', named, mapRecords<K, V, K, V2>((r) => r.withValue(mapper(r.key, r.value))), this.keySerde, undefined);
  }

  /** A new key for each record; the value stays. */
  selectKey<K2>(mapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    return this.then('KSTREAM-KEY-SELECT', named, mapRecords<K, V, K2, V>((r) => r.withKey(mapper(r.key, r.value))), undefined, this.valueSerde, true);
  }

  /** Zero or more key-value pairs for each record. */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<readonly [K2, V2]>, named?: Named): KStream<K2, V2> {
    const supplier = flatMapRecords<K, V, K2, V2>(function* (r) {
      for (const [k, v] of mapper(r.key, r.value)) yield new StreamRecord(k, v, r.timestamp, r.headers);
    });
    return this.then('KSTREAM-FLATMAP', named, supplier, undefined, undefined, true);
  }

  /** Zero or more values for each record, each with the record's key. */
  flatMapValues<V2>(mapper: (key: K, value: V) => Iterable<V2>, named?: Named): KStream<K, V2> {
    const supplier = flatMapRecords<K, V, K, V2>(function* (r) {
      for (const v of mapper(r.key, r.value)) yield r.withValue(v);
    });
    return this.then('KSTREAM-FLATMAPVALUES', named, supplier, this.keySerde, undefined);
  }

  /** Runs `action` on each record and passes it on unchanged. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.then('KSTREAM-PEEK', named, peekRecords<K, V>((r) => action(r.key, r.value), true), this.keySerde, this.valueSerde);
  }

  /** Runs `action` on each record; a terminal operation. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.then('KSTREAM-FOREACH', named, peekRecords<K, V>((r) => action(r.key, r.value), false), this.keySerde, this.valueSerde);
  }

  /** Prints each record as `[label]: key, value`; a terminal operation. */
  print(printed: Printed<K, V> = {}): void {
    const label = printed.label ?? this.nodeName;
    const format = printed.mapper ?? ((k: K, v: V) => `${String(k)}, ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
    const out = printed.to ?? ((line: string) => console.log(line));
    this.then('KSTREAM-PRINTER', undefined, peekRecords<K, V>((r) => out(`[${label}]: ${format(r.key, r.value)}`), false), this.keySerde, this.valueSerde);
  }

  /** Splits the stream by predicates: each record goes to the first branch it matches. */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(this.graph, this, named?.name);
  }

  /** One stream with the records of both (no ordering between them is promised). */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = this.graph.nodeName('KSTREAM-MERGE', named?.name);
    const parents = [this.nodeName, other.nodeName];
    this.graph.add((t) => t.addProcessor(name, passThrough<K, V>(), ...parents));
    return new KStream(this.graph, name, this.keySerde ?? other.keySerde, this.valueSerde ?? other.valueSerde, this.keyChanged || other.keyChanged);
  }

  /** Writes every record to a topic (or to the topic `extractor` names per record). */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const name = this.graph.nodeName('KSTREAM-SINK', produced.name);
    if (typeof topic !== 'function') checkTopicName(name, topic);
    const parent = this.nodeName;
    const options = { ...serdes(produced.key ?? this.keySerde, produced.value ?? this.valueSerde), ...(produced.partitioner && { partitioner: produced.partitioner }) };
    this.graph.add((t) => t.addSink(name, topic, options, parent));
  }

  /**
   * Reshuffles records through an internal topic so that records with the same key end up in the
   * same partition (needed after a key change, before grouping or joining).
   */
  repartition(repartitioned: Repartitioned<K, V> = {}): KStream<K, V> {
    // Checked here, as window sizes are, rather than when the app creates the topic at start.
    if (repartitioned.partitions !== undefined) integerAtLeastOne('repartition partitions', repartitioned.partitions);
    const sinkName = this.graph.nodeName('KSTREAM-REPARTITION-SINK');
    const sourceName = this.graph.nodeName('KSTREAM-REPARTITION-SOURCE');
    const topic = `${repartitioned.name ?? sinkName}-repartition`;
    const keySerde = repartitioned.key ?? this.keySerde;
    const valueSerde = repartitioned.value ?? this.valueSerde;
    const parent = this.nodeName;
    this.graph.add((t) => {
      t.addInternalTopic(topic, repartitioned.partitions);
      t.addSink(sinkName, topic, { ...serdes(keySerde, valueSerde), ...(repartitioned.partitioner && { partitioner: repartitioned.partitioner }) }, parent);
      t.addSource(sourceName, [topic], serdes(keySerde, valueSerde));
    });
    return new KStream(this.graph, sourceName, keySerde, valueSerde, false);
  }

  /** Runs a Processor API processor; `stores` names the state stores it may use. */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, options: ProcessOptions = {}): KStream<KOut, VOut> {
    const name = this.graph.nodeName('KSTREAM-PROCESSOR', options.name);
    const parent = this.nodeName;
    const stores = options.stores ?? [];
    this.graph.add((t) => {
      t.addProcessor(name, supplier, parent);
      if (stores.length > 0) t.connectProcessorAndStateStores(...stores.map((s) => [name, s] as const));
    });
    return new KStream<KOut, VOut>(this.graph, name, undefined, undefined, true);
  }

  /**
   * Groups records by their key for an aggregation. After an operator that may have changed keys
   * (map, selectKey, flatMap, process), records are first repartitioned through an internal topic
   * `<applicationId>-<name>-repartition`, so each key is counted in one place.
   */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    const keySerde = grouped.key ?? this.keySerde;
    const valueSerde = grouped.value ?? this.valueSerde;
    if (!this.keyChanged) return new KGroupedStream(this.graph, this.nodeName, keySerde, valueSerde);
    const repartitioned = this.repartition({
      ...(grouped.name !== undefined && { name: grouped.name }),
      ...(keySerde !== undefined && { key: keySerde }),
      ...(valueSerde !== undefined && { value: valueSerde }),
    });
    return new KGroupedStream(this.graph, repartitioned.nodeName, keySerde, valueSerde);
  }

  /** Groups records by a new key (`selector`), repartitioning them so each new key is in one partition. */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): KGroupedStream<K2, V> {
    return this.selectKey(selector).groupByKey(grouped);
  }

  /**
   * Joins records of equal keys: with another stream within `windows` (both sides buffered in
   * window stores), with a KTable's current row (table updates alone emit nothing), or with a
   * GlobalKTable row found by `keySelector`. The joiner gets `(left, right)`, or `(key, left, right)`
   * if it declares three parameters — with their types written out, as TypeScript cannot choose an
   * overload by the arity of an unannotated arrow function. A stream whose key changed is
   * repartitioned first. Kafka Streams: `KStream#join`.
   *
   * @example
   * orders.join(payments, (order, payment) => ({ ...order, paid: payment.amount }), JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000));
   * orders.join(customers, (order, customer) => ({ ...order, customer }));
   * orders.join(products, (_k, order) => order.productId, (order, product) => ({ ...order, product }));
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: (left: V, right: VO) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VO, VR>(other: KStream<K, VO>, joiner: (key: K, left: V, right: VO) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: (left: V, right: VT) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: (key: K, left: V, right: VT) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (left: V, right: GV) => VR, named?: Named): KStream<K, VR>;
  join<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (key: K, left: V, right: GV) => VR, named?: Named): KStream<K, VR>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.joinWith('inner', other, a, b, c);
  }

  /**
   * Like join, but every record of this stream gives a result: with null when no partner exists
   * (for a stream-stream join, emitted only once the record's window has closed). Kafka Streams: `KStream#leftJoin`.
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: (left: V, right: VO | null) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: (key: K, left: V, right: VO | null) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: (left: V, right: VT | null) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: (key: K, left: V, right: VT | null) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (left: V, right: GV | null) => VR, named?: Named): KStream<K, VR>;
  leftJoin<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (key: K, left: V, right: GV | null) => VR, named?: Named): KStream<K, VR>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.joinWith('left', other, a, b, c);
  }

  /**
   * Windowed join where records of either stream without a partner give a result with null for
   * the missing side, once their window has closed. Kafka Streams: `KStream#outerJoin`.
   */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: (left: V | null, right: VO | null) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: (key: K, left: V | null, right: VO | null) => VR, windows: JoinWindows, joined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  outerJoin(other: KStream<K, unknown>, joiner: unknown, windows: JoinWindows, joined?: StreamJoined<K, V, unknown>): KStream<K, unknown> {
    return this.joinWith('outer', other, joiner, windows, joined);
  }

  private joinWith(kind: 'inner' | 'left' | 'outer', other: unknown, a: unknown, b: unknown, c: unknown): KStream<K, unknown> {
    const joiner = (f: unknown) => joinerWithKey(f as ValueJoinerWithKey<unknown, unknown, unknown, unknown>);
    if (other instanceof KStream) {
      if (!(b instanceof JoinWindows)) throw new TopologyError('A stream-stream join needs JoinWindows (e.g. JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000)) as its third argument');
      const o = (c ?? {}) as StreamJoined<K, V, unknown>;
      const key = o.key ?? this.keySerde ?? (other.keySerde as Serde<K> | undefined);
      const left = this.partitionedByKey(key, o.value ?? this.valueSerde);
      const right = (other as KStream<K, unknown>).partitionedByKey(key, o.otherValue ?? other.valueSerde);
      const merge = addStreamStreamJoin(this.graph, left as JoinSide, right as JoinSide, {
        kind,
        windows: b,
        joiner: joiner(a),
        name: o.name,
        storeName: o.storeName,
        serdes: { key, left: o.value ?? this.valueSerde, right: o.otherValue ?? other.valueSerde },
        store: o.store,
        logging: o.logging,
      });
      return new KStream(this.graph, merge, key, undefined);
    }
    if (kind === 'outer') throw new TopologyError('outerJoin joins two streams; a stream-table join is join or leftJoin');
    if (other instanceof KTable) {
      const o = (b ?? {}) as Joined<K, V, unknown>;
      const stream = this.partitionedByKey(o.key ?? this.keySerde ?? other.keySerde, o.value ?? this.valueSerde);
      const name = addStreamTableJoin(this.graph, stream as JoinSide, other, { left: kind === 'left', joiner: joiner(a), name: o.name });
      return new KStream(this.graph, name, stream.keySerde, undefined);
    }
    if (other instanceof GlobalKTable) {
      if (typeof a !== 'function') throw new TopologyError('A stream-globalTable join needs a key selector (key, value) => table key as its second argument');
      const name = addStreamGlobalTableJoin(this.graph, this as JoinSide, other.queryableStoreName, { left: kind === 'left', keySelector: a as (k: unknown, v: unknown) => unknown, joiner: joiner(b), name: (c as Named | undefined)?.name });
      // Nothing was repartitioned: a key changed before this join still needs it before grouping.
      return new KStream(this.graph, name, this.keySerde, undefined, this.keyChanged);
    }
    throw new TopologyError('join needs a KStream, a KTable or a GlobalKTable');
  }

  /** This stream, repartitioned by its key first if an operator may have changed the key. */
  private partitionedByKey(key: Serde<K> | undefined, value: Serde<V> | undefined): KStream<K, V> {
    if (!this.keyChanged) return this;
    return this.repartition({ ...(key !== undefined && { key }), ...(value !== undefined && { value }) });
  }
}
