import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import type { Windowed } from '../../serdes/windowed.js';
import { KTable } from '../ktable.js';
import type { Graph } from './graph.js';

/** The KTable a windowed aggregation returns: keys are Windowed<K>, suppress knows the grace. */
export function windowedTable<K, A>(graph: Graph, node: string, keySerde: Serde<K> | undefined, valueSerde: Serde<A> | undefined, storeName: string, graceMs: number): KTable<Windowed<K>, A> {
  const windowedKeySerde = keySerde === undefined ? undefined : Serdes.windowed(keySerde);
  return new KTable<Windowed<K>, A>(graph, node, windowedKeySerde, valueSerde, storeName, { graceMs, innerKeySerde: keySerde as Serde<unknown> | undefined });
}
