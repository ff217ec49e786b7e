import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, Stores, type KeyValueStore, type SessionStore, type StoreBuilder, type WindowStore } from '../../src/index.js';
import type { ManagedStore } from '../../src/state/internals/managed-store.js';
import { TaskStores } from '../../src/state/internals/task-stores.js';
import { tempDir } from '../helpers/temp-dir.js';

const s = Serdes.string();
const noChangelog = { bounds: async () => ({ start: 0, end: 0 }), read: async (_t: string, _p: number, offset: number) => ({ ops: [], next: offset }) };

/** Opens one store as the engine does (its own task database for 'level'), restored from nothing. */
async function open<S>(builder: StoreBuilder, stateDir = tempDir('tributary-store-')): Promise<{ store: S & ManagedStore; stores: TaskStores; commit: () => Promise<void> }> {
  let now = 0;
  const stores = await TaskStores.open([builder], {
    applicationId: 'app', taskId: '0_0', partition: 0, stateDir,
    defaultKeySerde: s, defaultValueSerde: Serdes.json(), recordTimestamp: () => now++, changelogTopic: (n) => `app-${n}-changelog`,
  });
  await stores.restore(noChangelog);
  let offset = 0;
  const commit = async () => {
    const records = stores.prepareCommit();
    offset += records.length;
    await stores.commit(new Map(records.length > 0 ? [[builder.name, offset]] : []));
  };
  return { store: stores.get(builder.name) as S & ManagedStore, stores, commit };
}

describe.each(['level', 'memory'] as const)('store conformance (%s)', (kind) => {
  it('key-value: staged writes are read at once, kept by commit, dropped by discard', async () => {
    const { store, stores, commit } = await open<KeyValueStore<string, number>>(Stores.keyValueStore({ name: 'kv', store: kind, keySerde: s, valueSerde: Serdes.int64() }));
    store.put('b', 2);
    store.put('a', 1);
    expect(store.get('a')).toBe(1);
    await commit();
    store.put('a', 10);
    store.delete('b');
    expect(store.putIfAbsent('c', 3)).toBeUndefined();
    expect(store.putIfAbsent('c', 4)).toBe(3);
    expect(await store.all()).toEqual([{ key: 'a', value: 10 }, { key: 'c', value: 3 }]);
    store.discard();
    expect(store.get('a')).toBe(1);
    expect(store.get('b')).toBe(2);
    expect(store.get('c')).toBeUndefined();
    expect(await store.range('a', 'a')).toEqual([{ key: 'a', value: 1 }]);
    await stores.close();
  });

  it('key-value: a prepared commit is read while it completes, applied by commit, dropped by discard', async () => {
    const { store, stores, commit } = await open<KeyValueStore<string, number>>(Stores.keyValueStore({ name: 'kv', store: kind, keySerde: s, valueSerde: Serdes.int64() }));
    store.put('a', 1);
    await commit();
    expect(store.get('a')).toBe(1); // read (and remembered) as committed
    store.put('a', 2);
    stores.prepareCommit(); // in flight: the next round's reads must see 2
    expect(store.get('a')).toBe(2);
    expect(await store.all()).toEqual([{ key: 'a', value: 2 }]);
    store.put('b', 5);
    await stores.commit(new Map([['kv', 2]]));
    expect(store.get('a')).toBe(2);
    expect(store.get('b')).toBe(5);
    store.put('a', 3);
    const prepared = stores.prepareCommit();
    expect(prepared.flatMap((w) => w.ops.map((op) => op.key.toString()))).toEqual(['b', 'a']); // b was staged while the first commit completed
    expect(store.get('a')).toBe(3);
    store.discard(); // the transaction failed
    expect(store.get('a')).toBe(2);
    expect(store.get('b')).toBeUndefined();
    await stores.close();
  });

  it('key-value: range and all follow a reference map in byte order of the keys (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }), fc.boolean()), { maxLength: 40 }), fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), async (ops, lo, hi) => {
        const { store, stores, commit } = await open<KeyValueStore<string, number>>(Stores.keyValueStore({ name: 'kv', store: kind, keySerde: s, valueSerde: Serdes.int64() }));
        const reference = new Map<string, number>();
        for (const [key, value, commitAfter] of ops) {
          store.put(key, value);
          if (value === undefined) reference.delete(key);
          else reference.set(key, value);
          if (commitAfter) await commit();
        }
        const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
        const expected = [...reference].sort(([a], [b]) => byBytes(a, b)).map(([key, value]) => ({ key, value }));
        expect(await store.all()).toEqual(expected);
        expect(await store.range(lo, hi)).toEqual(expected.filter((e) => byBytes(e.key, lo) >= 0 && byBytes(e.key, hi) <= 0));
        expect(await store.approximateNumEntries()).toBe(reference.size);
        await stores.close();
      }),
      { numRuns: 30 },
    );
  });

  it('window store: fetch by start and by range, duplicates when asked, retention drops old windows', async () => {
    const { store, stores, commit } = await open<WindowStore<string, number> & { observe(t: number): void }>(Stores.windowStore({ name: 'w', store: kind, keySerde: s, valueSerde: Serdes.int64(), retentionMs: 100, windowSizeMs: 10 }));
    store.put('a', 1, 0);
    store.put('a', 2, 10);
    store.put('b', 3, 10);
    store.put('a', 4, 10);
    await commit();
    expect(store.fetch('a', 10)).toBe(4);
    expect(store.fetch('a', 0, 50)).toEqual([{ key: 0, value: 1 }, { key: 10, value: 4 }]);
    expect((await store.fetchAll(10, 10)).map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value])).toEqual([['a', 10, 20, 4], ['b', 10, 20, 3]]);
    store.put('a', 5, 105); // stream time 105: windows starting before 6 are past retention
    await commit();
    expect(store.fetch('a', 0)).toBeUndefined();
    expect(store.fetch('a', 0, 200).map((e) => e.key)).toEqual([10, 105]);
    await stores.close();

    const dup = await open<WindowStore<string, number>>(Stores.windowStore({ name: 'j', store: kind, keySerde: s, valueSerde: Serdes.int64(), retentionMs: 100, windowSizeMs: 10, retainDuplicates: true }));
    dup.store.put('k', 1, 5);
    dup.store.put('k', 2, 5);
    expect(dup.store.fetch('k', 0, 10)).toEqual([{ key: 5, value: 1 }, { key: 5, value: 2 }]);
    await dup.stores.close();
  });

  it('session store: find overlapping sessions, remove, fetch one session', async () => {
    const { store, stores, commit } = await open<SessionStore<string, number>>(Stores.sessionStore({ name: 'sess', store: kind, keySerde: s, valueSerde: Serdes.int64(), retentionMs: 1_000 }));
    const w = (start: number, end: number) => ({ key: 'u', window: { start, end } });
    store.put(w(0, 5), 2);
    store.put(w(20, 30), 3);
    await commit();
    expect(store.findSessions('u', 4, 21).map((e) => e.key.window)).toEqual([{ start: 0, end: 5 }, { start: 20, end: 30 }]);
    expect(store.findSessions('u', 6, 19)).toEqual([]);
    store.remove(w(0, 5));
    expect(store.fetch('u').map((e) => e.value)).toEqual([3]);
    expect(store.fetchSession('u', 20, 30)).toBe(3);
    await stores.close();
  });
});

type WindowOp = { kind: 'put'; key: string; start: number; value: number } | { kind: 'fetch'; key: string; start: number } | { kind: 'commit' } | { kind: 'discard' } | { kind: 'reopen' };

const windowOp: fc.Arbitrary<WindowOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.constantFrom('a', 'b', 'c', 'd'), start: fc.integer({ min: 0, max: 69 }), value: fc.nat(99) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('fetch' as const), key: fc.constantFrom('a', 'b', 'c', 'd'), start: fc.integer({ min: 0, max: 69 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('discard' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

describe('LevelDB window store across commits, discards and reopens', () => {
  it('fetches what a reference model holds, in segments written before and after each reopen (property)', async () => {
    const builder = Stores.windowStore({ name: 'w', keySerde: s, valueSerde: Serdes.int64(), retentionMs: 1_000_000, windowSizeMs: 10, logging: false });
    await fc.assert(
      fc.asyncProperty(fc.array(windowOp, { minLength: 20, maxLength: 150 }), async (ops) => {
        const stateDir = tempDir('tributary-store-');
        let opened = await open<WindowStore<string, number>>(builder, stateDir);
        const committed = new Map<string, number>();
        let staged = new Map<string, number>();
        try {
          for (const op of ops) {
            if (op.kind === 'put') {
              opened.store.put(op.key, op.value, op.start);
              staged.set(`${op.key}@${op.start}`, op.value);
            } else if (op.kind === 'fetch') {
              const id = `${op.key}@${op.start}`;
              expect(opened.store.fetch(op.key, op.start)).toBe(staged.get(id) ?? committed.get(id));
            } else if (op.kind === 'commit') {
              await opened.commit();
              for (const [id, v] of staged) committed.set(id, v);
              staged = new Map();
            } else if (op.kind === 'discard') {
              opened.stores.discard();
              staged = new Map();
            } else {
              await opened.stores.close();
              opened = await open<WindowStore<string, number>>(builder, stateDir);
              staged = new Map();
            }
          }
        } finally {
          await opened.stores.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe('LevelDB stores across restarts', () => {
  it('keep committed data and the changelog offset it reflects; uncommitted writes are gone', async () => {
    const stateDir = tempDir('tributary-store-');
    const builder = Stores.keyValueStore<string, number>({ name: 'kv', keySerde: s, valueSerde: Serdes.int64() });
    const first = await open<KeyValueStore<string, number>>(builder, stateDir);
    first.store.put('a', 1);
    await first.commit();
    first.store.put('b', 2);
    await first.stores.close();
    const again = await TaskStores.open([builder], {
      applicationId: 'app', taskId: '0_0', partition: 0, stateDir, defaultKeySerde: s, defaultValueSerde: s, recordTimestamp: () => 0, changelogTopic: (n) => `app-${n}-changelog`,
    });
    const store = again.get('kv')!;
    expect(store.checkpoint).toBe(1);
    // Restore reads the changelog from the checkpoint on (here: one record the store had not applied).
    await again.restore({ bounds: async () => ({ start: 0, end: 2 }), read: async (_t, _p, offset) => (offset === 1 ? { ops: [{ key: Buffer.from('c'), value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]) }], next: 2 } : { ops: [], next: offset }) });
    const kv = store as unknown as KeyValueStore<string, number>;
    expect(await kv.all()).toEqual([{ key: 'a', value: 1 }, { key: 'c', value: 7 }]);
    expect(store.checkpoint).toBe(2);
    await again.close();
  });
});
