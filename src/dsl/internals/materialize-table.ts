import { storeValueGetter, type TableValueGetter } from '../../processor/joins/table-value-getter.js';
import { tableMaterialize } from '../../processor/stateful/table-materialize.js';
import type { Serde } from '../../serdes/serde.js';
import { Stores } from '../../state/stores.js';
import type { Materialized } from '../materialized.js';
import type { Graph } from './graph.js';
import { storeOptionsFrom } from './store-options-from.js';

/** A table derived from others (filter, mapValues, join): its node, how to read it by key, its store. */
export type DerivedTable = { nodeName: string; getter: TableValueGetter<unknown, unknown> | undefined; storeName: string | undefined };

/**
 * Stores a derived table's rows when `materialized` is given (queryable, read by key from the
 * store); otherwise the table stays as it is, read through `fallback`.
 */
export function materializeTable(graph: Graph, parent: string, materialized: Materialized<unknown, unknown> | undefined, keySerde: Serde<unknown> | undefined, fallback: TableValueGetter<unknown, unknown> | undefined): DerivedTable {
  if (materialized === undefined) return { nodeName: parent, getter: fallback, storeName: undefined };
  const name = graph.nodeName('KTABLE-MATERIALIZE');
  const storeName = materialized.name ?? graph.nodeName('KTABLE-MATERIALIZE-STATE-STORE');
  const store = Stores.keyValueStore(storeOptionsFrom(storeName, { ...materialized, caching: false }, materialized.keySerde ?? keySerde, materialized.valueSerde));
  graph.add((t) => {
    t.addProcessor(name, tableMaterialize(storeName), parent);
    t.addStateStore(store, name);
  });
  return { nodeName: name, getter: storeValueGetter(storeName), storeName };
}
