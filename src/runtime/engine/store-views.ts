import type { ManagedStore } from '../../state/internals/managed-store.js';
import { StoreNotReadyError } from '../../state/state-store-error.js';
import type { ReadOnlyKeyValueStore } from '../../state/key-value-store.js';
import type { ReadOnlySessionStore } from '../../state/session-store.js';
import type { StoreBuilder } from '../../state/state-store.js';
import type { ReadOnlyWindowStore } from '../../state/window-store.js';

/** Any read-only store view `app.store(name)` can return. */
export type QueryableStore = ReadOnlyKeyValueStore<never, unknown> | ReadOnlyWindowStore<never, unknown> | ReadOnlySessionStore<never, unknown>;

/** The queryable instances of one store on this app instance; throws StoreNotReadyError when there are none. */
export type LocalStores = () => ManagedStore[];

function instanceQuerier(store: ManagedStore): StoreQuerier {
  const methods = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  return {
    now: (method, args) => methods[method]!(...args),
    later: async (method, args) => methods[method]!(...args),
  };
}

/**
 * A read-only view over the instances of one store held by this app's tasks (one per partition
 * it owns), as Kafka Streams' composite stores. Keys owned by another instance are not found.
 */
export function storeView(builder: StoreBuilder, local: LocalStores): QueryableStore {
  return compositeStoreView(builder, () => local().map(instanceQuerier));
}

/**
 * Some of a store's instances, asked by method name: one task's instance, or one stream thread's
 * (thread 0 directly, a worker over its channel).
 */
export type StoreQuerier = {
  /** A method that answers at once (get, fetch, …); a worker thread answers while the caller waits. */
  now(method: string, args: unknown[]): unknown;
  /** A method that answers with a promise (range, all, …). */
  later(method: string, args: unknown[]): Promise<unknown>;
};

type Empty = (result: unknown) => boolean;
const none: Empty = (v) => v === undefined;
const noEntries: Empty = (v) => (v as unknown[]).length === 0;

/** The first non-empty answer; a querier that holds no instance now (StoreNotReadyError, a stream thread) is passed over. */
function first(queriers: StoreQuerier[], name: string, method: string, args: unknown[], empty: Empty): unknown {
  let result: unknown;
  let notReady: unknown;
  let answered = false;
  for (const q of queriers) {
    try {
      result = q.now(method, args);
      answered = true;
    } catch (e) {
      if (!(e instanceof StoreNotReadyError)) throw e;
      notReady ??= e;
      continue;
    }
    if (!empty(result)) return result;
  }
  if (!answered) throw notReady ?? new StoreNotReadyError(name, 'nothing here holds it');
  return result;
}

/** Every querier's answer, to concatenate (or sum); those holding no instance now are passed over. */
async function gather(queriers: StoreQuerier[], name: string, method: string, args: unknown[]): Promise<unknown[]> {
  const answers = await Promise.allSettled(queriers.map((q) => q.later(method, args)));
  const held = answers.filter((a): a is PromiseFulfilledResult<unknown> => a.status === 'fulfilled').map((a) => a.value);
  const failed = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason as unknown);
  const real = failed.find((e) => !(e instanceof StoreNotReadyError));
  if (real !== undefined) throw real;
  if (held.length === 0) throw failed[0] ?? new StoreNotReadyError(name, 'nothing here holds it');
  return held;
}

const concat = async (queriers: StoreQuerier[], name: string, method: string, args: unknown[]) => (await gather(queriers, name, method, args)).flat();

/**
 * A read-only view over instances of one store, as Kafka Streams' composite stores: those of this
 * app's tasks (`storeView`), or, with several stream threads, each thread's view. Values from
 * worker threads arrive as structured clones (plain objects: a class instance loses its prototype).
 */
export function compositeStoreView(builder: StoreBuilder, queriers: () => StoreQuerier[]): QueryableStore {
  const name = builder.name;
  if (builder.storeType === 'keyValue') {
    return {
      name,
      get: (key: unknown) => first(queriers(), name, 'get', [key], none),
      range: (from: unknown, to: unknown) => concat(queriers(), name, 'range', [from, to]),
      all: () => concat(queriers(), name, 'all', []),
      approximateNumEntries: async () => ((await gather(queriers(), name, 'approximateNumEntries', [])) as number[]).reduce((a, b) => a + b, 0),
    } as unknown as QueryableStore;
  }
  if (builder.storeType === 'window') {
    return {
      name,
      fetch: (key: unknown, from: number, to?: number) => (to === undefined ? first(queriers(), name, 'fetch', [key, from], none) : first(queriers(), name, 'fetch', [key, from, to], noEntries)),
      fetchAll: (from: number, to: number) => concat(queriers(), name, 'fetchAll', [from, to]),
      all: () => concat(queriers(), name, 'all', []),
    } as unknown as QueryableStore;
  }
  return {
    name,
    fetch: (key: unknown) => first(queriers(), name, 'fetch', [key], noEntries),
    findSessions: (key: unknown, earliestEnd: number, latestStart: number) => first(queriers(), name, 'findSessions', [key, earliestEnd, latestStart], noEntries),
    fetchSession: (key: unknown, start: number, end: number) => first(queriers(), name, 'fetchSession', [key, start, end], none),
    all: () => concat(queriers(), name, 'all', []),
  } as unknown as QueryableStore;
}
