import { passThrough } from '../../processor/stateless/pass-through.js';
import { streamStreamJoin, type JoinWindowSpec } from '../../processor/joins/stream-stream-join.js';
import { streamTableJoin } from '../../processor/joins/stream-table-join.js';
import { storeValueGetter, type TableValueGetter } from '../../processor/joins/table-value-getter.js';
import type { ValueJoinerWithKey } from '../../processor/joins/value-joiner.js';
import type { ProcessorSupplier } from '../../processor/processor.js';
import { TopologyError } from '../../processor/topology-error.js';
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import type { Graph } from './graph.js';

/** What a join needs of a stream handle (KStream's internals). */
export type JoinInput = { readonly nodeName: string; readonly keySerde: Serde<unknown> | undefined; readonly valueSerde: Serde<unknown> | undefined };

export type StreamStreamJoinOptions = {
  kind: 'inner' | 'left' | 'outer';
  windows: JoinWindowSpec;
  joiner: ValueJoinerWithKey<unknown, unknown, unknown, unknown>;
  name: string | undefined;
  storeName: string | undefined;
  serdes: { key: Serde<unknown> | undefined; left: Serde<unknown> | undefined; right: Serde<unknown> | undefined };
  store: 'level' | 'memory' | undefined;
  logging: boolean | undefined;
};

/**
 * Wires a windowed stream-stream join: a window store per side (records kept for before + after +
 * grace), a processor per side that buffers its record and looks up the other side, for left and
 * outer joins a shared buffer of unmatched records, and a merge node. Returns the merge node.
 */
export function addStreamStreamJoin(graph: Graph, left: JoinInput, right: JoinInput, o: StreamStreamJoinOptions): string {
  const prefix = o.kind === 'inner' ? 'KSTREAM-JOIN' : o.kind === 'left' ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-OUTERJOIN';
  const thisName = graph.nodeName(`${prefix}THIS`, o.name === undefined ? undefined : `${o.name}-this-join`);
  const otherName = graph.nodeName(`${prefix}OTHER`, o.name === undefined ? undefined : `${o.name}-other-join`);
  const mergeName = graph.nodeName('KSTREAM-MERGE', o.name === undefined ? undefined : `${o.name}-merge`);
  const storeName = (suffix: string, node: string) => (o.storeName === undefined ? `${node}-store` : `${o.storeName}-${suffix}`).replace(/[^a-zA-Z0-9._-]/g, '_');
  const thisStore = storeName('this-join-store', thisName);
  const otherStore = storeName('other-join-store', otherName);
  const outerStore = o.kind === 'inner' ? undefined : storeName('outer-shared-join-store', `${thisName}-outer`);
  const w = o.windows;
  const windowStore = (name: string, valueSerde: Serde<unknown> | undefined) =>
    Stores.windowStore<unknown, unknown>({
      name,
      // A record must stay fetchable for as long as a partner may still arrive without being
      // dropped: up to (before + after) + grace behind stream time (more if one bound is negative).
      retentionMs: Math.max(w.beforeMs + w.afterMs, w.beforeMs, w.afterMs) + w.graceMs + 1,
      windowSizeMs: Math.max(0, w.beforeMs + w.afterMs),
      retainDuplicates: true,
      caching: false,
      ...(o.store !== undefined && { store: o.store }),
      ...(o.logging !== undefined && { logging: o.logging }),
      ...(o.serdes.key !== undefined && { keySerde: o.serdes.key }),
      ...(valueSerde !== undefined && { valueSerde }),
    });
  const side = (isLeft: boolean) =>
    streamStreamJoin({
      isLeft,
      thisStore: isLeft ? thisStore : otherStore,
      otherStore: isLeft ? otherStore : thisStore,
      outerStore,
      outer: o.kind === 'outer' || (o.kind === 'left' && isLeft),
      windows: w,
      joiner: o.joiner,
      serdes: o.serdes,
    }) as ProcessorSupplier<unknown, unknown, unknown, unknown>;
  graph.add((t) => {
    t.addProcessor(thisName, side(true), left.nodeName);
    t.addProcessor(otherName, side(false), right.nodeName);
    t.addStateStore(windowStore(thisStore, o.serdes.left), thisName, otherName);
    t.addStateStore(windowStore(otherStore, o.serdes.right), thisName, otherName);
    if (outerStore !== undefined) {
      // In memory and logged: the buffer is scanned synchronously by time (see OuterJoinBuffer).
      const buffer = Stores.keyValueStore<Buffer, Buffer>({ name: outerStore, store: 'memory', caching: false, keySerde: Serdes.bytes(), valueSerde: Serdes.bytes(), ...(o.logging !== undefined && { logging: o.logging }) });
      t.addStateStore(buffer, thisName, otherName);
    }
    t.addProcessor(mergeName, passThrough(), thisName, otherName);
    t.addCopartitionGroup(left.nodeName, right.nodeName);
  });
  return mergeName;
}

/** Wires a stream-table join; the table must be readable by key (materialized, or derived from one). */
export function addStreamTableJoin(
  graph: Graph,
  stream: JoinInput,
  table: { nodeName: string; getter: TableValueGetter<unknown, unknown> | undefined },
  o: { left: boolean; joiner: ValueJoinerWithKey<unknown, unknown, unknown, unknown>; name: string | undefined },
): string {
  const getter = table.getter;
  if (getter === undefined) throw new TopologyError(`Table "${table.nodeName}" cannot be joined: it has no store to read by key (a windowed or suppressed table); join the table it was derived from`);
  const name = graph.nodeName(o.left ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN', o.name);
  graph.add((t) => {
    t.addProcessor(name, streamTableJoin({ table: getter, lookupKey: (k) => k, left: o.left, joiner: o.joiner }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, stream.nodeName);
    t.connectProcessorAndStateStores(...getter.stores.map((s) => [name, s] as const));
    t.addCopartitionGroup(stream.nodeName, table.nodeName);
  });
  return name;
}

/** Wires a stream-globalTable join: every task reads the whole global store, so nothing is co-partitioned. */
export function addStreamGlobalTableJoin(
  graph: Graph,
  stream: JoinInput,
  storeName: string,
  o: { left: boolean; keySelector: (key: unknown, value: unknown) => unknown; joiner: ValueJoinerWithKey<unknown, unknown, unknown, unknown>; name: string | undefined },
): string {
  const name = graph.nodeName(o.left ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN', o.name);
  const getter = storeValueGetter<unknown, unknown>(storeName);
  graph.add((t) => {
    t.addProcessor(name, streamTableJoin({ table: getter, lookupKey: o.keySelector, left: o.left, joiner: o.joiner }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, stream.nodeName);
    t.connectProcessorAndStateStores([name, storeName]);
  });
  return name;
}
