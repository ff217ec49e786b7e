import type { Windowed } from '../../serdes/windowed.js';
import type { ManagedStore } from '../../state/internals/managed-store.js';
import type { ReadOnlyKeyValueStore } from '../../state/key-value-store.js';
import type { ReadOnlySessionStore } from '../../state/session-store.js';
import type { KeyValue, StoreBuilder } from '../../state/state-store.js';
import type { ReadOnlyWindowStore } from '../../state/window-store.js';

/** Any read-only store view `app.store(name)` can return. */
export type QueryableStore = ReadOnlyKeyValueStore<never, unknown> | ReadOnlyWindowStore<never, unknown> | ReadOnlySessionStore<never, unknown>;

/** The queryable instances of one store on this app instance; throws StoreNotReadyError when there are none. */
export type LocalStores = () => ManagedStore[];

function first<T>(stores: ManagedStore[], read: (s: never) => T, empty: (t: T) => boolean): T {
  let result: T | undefined;
  for (const s of stores) {
    result = read(s as never);
    if (!empty(result)) return result;
  }
  return result as T;
}

async function concat<T>(stores: ManagedStore[], read: (s: never) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const s of stores) out.push(...(await read(s as never)));
  return out;
}

/**
 * A read-only view over the instances of one store held by this app's tasks (one per partition
 * it owns), as Kafka Streams' composite stores. Keys owned by another instance are not found.
 */
export function storeView(builder: StoreBuilder, local: LocalStores): QueryableStore {
  const name = builder.name;
  if (builder.storeType === 'keyValue') {
    const view: ReadOnlyKeyValueStore<unknown, unknown> = {
      name,
      get: (key) => first(local(), (s: ReadOnlyKeyValueStore<unknown, unknown>) => s.get(key), (v) => v === undefined),
      range: (from, to) => concat(local(), (s: ReadOnlyKeyValueStore<unknown, unknown>) => s.range(from, to)),
      all: () => concat(local(), (s: ReadOnlyKeyValueStore<unknown, unknown>) => s.all()),
      approximateNumEntries: async () => (await Promise.all(local().map((s) => (s as unknown as ReadOnlyKeyValueStore<unknown, unknown>).approximateNumEntries()))).reduce((a, b) => a + b, 0),
    };
    return view as QueryableStore;
  }
  if (builder.storeType === 'window') {
    const view = {
      name,
      fetch: (key: unknown, from: number, to?: number) =>
        to === undefined
          ? first(local(), (s: ReadOnlyWindowStore<unknown, unknown>) => s.fetch(key, from), (v) => v === undefined)
          : first(local(), (s: ReadOnlyWindowStore<unknown, unknown>) => s.fetch(key, from, to), (v) => v.length === 0),
      fetchAll: (from: number, to: number) => concat(local(), (s: ReadOnlyWindowStore<unknown, unknown>) => s.fetchAll(from, to)),
      all: () => concat(local(), (s: ReadOnlyWindowStore<unknown, unknown>) => s.all()),
    };
    return view as unknown as QueryableStore;
  }
  const view: ReadOnlySessionStore<unknown, unknown> = {
    name,
    fetch: (key) => first(local(), (s: ReadOnlySessionStore<unknown, unknown>) => s.fetch(key), (v) => v.length === 0),
    findSessions: (key, earliestEnd, latestStart) => first(local(), (s: ReadOnlySessionStore<unknown, unknown>) => s.findSessions(key, earliestEnd, latestStart), (v) => v.length === 0),
    fetchSession: (key, start, end) => first(local(), (s: ReadOnlySessionStore<unknown, unknown>) => s.fetchSession(key, start, end), (v) => v === undefined),
    all: (): Promise<KeyValue<Windowed<unknown>, unknown>[]> => concat(local(), (s: ReadOnlySessionStore<unknown, unknown>) => s.all()),
  };
  return view as QueryableStore;
}
