import { StoreNotReadyError } from '../../../state/state-store-error.js';
import type { StoreBuilder } from '../../../state/state-store.js';
import type { QueryableStore } from '../store-views.js';

/** One stream thread's instances of a store, asked by method name (thread 0 directly, a worker over its channel). */
export type StoreQuerier = {
  /** A method that answers at once (get, fetch, …); a worker answers while this thread waits. */
  now(method: string, args: unknown[]): unknown;
  /** A method that answers with a promise (range, all, …). */
  later(method: string, args: unknown[]): Promise<unknown>;
};

type Empty = (result: unknown) => boolean;
const none: Empty = (v) => v === undefined;
const noEntries: Empty = (v) => (v as unknown[]).length === 0;

/** The first thread's non-empty answer; a thread that holds no instance now (StoreNotReadyError) is passed over. */
function first(threads: StoreQuerier[], name: string, method: string, args: unknown[], empty: Empty): unknown {
  let result: unknown;
  let notReady: unknown;
  let answered = false;
  for (const t of threads) {
    try {
      result = t.now(method, args);
      answered = true;
    } catch (e) {
      if (!(e instanceof StoreNotReadyError)) throw e;
      notReady ??= e;
      continue;
    }
    if (!empty(result)) return result;
  }
  if (!answered) throw notReady ?? new StoreNotReadyError(name, 'no stream thread holds it');
  return result;
}

/** Every thread's answers, concatenated (or summed); threads holding no instance now are passed over. */
async function gather(threads: StoreQuerier[], name: string, method: string, args: unknown[]): Promise<unknown[]> {
  const answers = await Promise.allSettled(threads.map((t) => t.later(method, args)));
  const held = answers.filter((a): a is PromiseFulfilledResult<unknown> => a.status === 'fulfilled').map((a) => a.value);
  const failed = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason as unknown);
  const real = failed.find((e) => !(e instanceof StoreNotReadyError));
  if (real !== undefined) throw real;
  if (held.length === 0) throw failed[0] ?? new StoreNotReadyError(name, 'no stream thread holds it');
  return held;
}

const concat = async (threads: StoreQuerier[], name: string, method: string, args: unknown[]) => (await gather(threads, name, method, args)).flat();

/**
 * `app.store(name)` of an app with several stream threads: the same read-only view as with one
 * thread, over every thread's instances. Values from worker threads arrive as structured clones
 * (plain objects: a class instance loses its prototype).
 */
export function threadStoreView(builder: StoreBuilder, queriers: () => StoreQuerier[]): QueryableStore {
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
