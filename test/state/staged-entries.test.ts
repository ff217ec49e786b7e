import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackingOp } from '../../src/state/internals/bytes-backing.js';
import { MemoryBacking } from '../../src/state/internals/memory-backing.js';
import { StagedEntries, type WriteBehindLimits } from '../../src/state/internals/staged-entries.js';

const codec = { encode: (v: string) => Buffer.from(v), decode: (b: Buffer) => b.toString() };
/** Values as objects: a reader may change the one it got, which must change nothing stored. */
type Boxed = { s: string };
const boxedCodec = { encode: (v: Boxed) => Buffer.from(v.s), decode: (b: Buffer): Boxed => ({ s: b.toString() }) };

type Op =
  | { kind: 'put'; key: number; value: string | undefined }
  | { kind: 'get'; key: number }
  | { kind: 'commit' }
  | { kind: 'prepare' }
  | { kind: 'apply' }
  | { kind: 'discard' }
  | { kind: 'scan' }
  | { kind: 'crash' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.nat(40), value: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('get' as const), key: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prepare' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('apply' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('discard' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const) }) },
);

const keyOf = (n: number) => Buffer.from(`k${String(n).padStart(2, '0')}`);

/** Backing entries overlaid with `overlay()`, as the stores' scans merge them. */
async function scan(entries: StagedEntries<string> | StagedEntries<Boxed>, backing: MemoryBacking): Promise<Map<string, string>> {
  const overlay = entries.overlay(() => true);
  const merged = new Map<string, string | undefined>();
  for await (const [k, v] of backing.entries()) merged.set(k.toString(), v.toString());
  for (const o of overlay) merged.set(o.key.toString(), typeof o.value === 'object' ? o.value.s : o.value);
  return new Map([...merged].filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Runs random puts, reads, commits, discards and scans against a reference model. A commit is
 * either whole or in two steps, "prepare" then "apply", with puts, reads and scans in between, as
 * the engine's next round runs while a commit's transaction completes: reads then see the
 * prepared writes, and a discard drops them with the staged ones. A "crash" drops the
 * StagedEntries (and whatever it held back or had in flight) and starts a new one over the same
 * backing, replaying the changelog of applied commits from the backing's checkpoint, as task
 * restoration does.
 *
 * `boxed`: values are objects and the entries reuse committed ones (`reuseCommitted`, as window
 * stores do); every reader then scribbles on the object it got, and no later read may see that.
 */
async function check(ops: Op[], writeBehind: WriteBehindLimits | undefined, boxed = false): Promise<{ heldBack: number }> {
  const backing = new MemoryBacking();
  const open = () => (boxed ? boxedEntries(backing, writeBehind) : plainEntries(backing, writeBehind));
  let { entries, read, write } = open();
  const changelog: BackingOp[] = [];
  let committed = new Map<number, string>();
  let staged = new Map<number, string | undefined>();
  let inFlight: { ops: readonly BackingOp[]; writes: Map<number, string | undefined> } | undefined;
  let heldBack = 0;
  const apply = async (prepared: NonNullable<typeof inFlight>) => {
    changelog.push(...prepared.ops);
    await entries.commit(changelog.length);
    committed = new Map(committed);
    for (const [k, v] of prepared.writes) v === undefined ? committed.delete(k) : committed.set(k, v);
    if ((backing.checkpoint ?? 0) < changelog.length) heldBack++;
  };
  const committedView = () => {
    const view = new Map(committed);
    for (const [k, v] of inFlight?.writes ?? []) v === undefined ? view.delete(k) : view.set(k, v);
    return view;
  };
  for (const o of ops) {
    if ((o.kind === 'commit' || o.kind === 'prepare') && inFlight !== undefined) {
      await apply(inFlight); // as the engine does: a commit waits for the one in flight
      inFlight = undefined;
    }
    if (o.kind === 'put') {
      write(keyOf(o.key), o.value);
      staged.set(o.key, o.value);
    } else if (o.kind === 'get') {
      const expected = staged.has(o.key) ? staged.get(o.key) : committedView().get(o.key);
      expect(read(keyOf(o.key), !staged.has(o.key))).toBe(expected);
    } else if (o.kind === 'commit' || o.kind === 'prepare') {
      inFlight = { ops: entries.prepareCommit(), writes: staged };
      staged = new Map();
      if (o.kind === 'commit') {
        await apply(inFlight);
        inFlight = undefined;
      }
    } else if (o.kind === 'apply') {
      if (inFlight !== undefined) await apply(inFlight);
      inFlight = undefined;
    } else if (o.kind === 'discard') {
      entries.discard();
      staged = new Map();
      inFlight = undefined;
    } else if (o.kind === 'scan') {
      const model = new Map([...committedView()].map(([k, v]) => [keyOf(k).toString(), v] as const));
      for (const [k, v] of staged) v === undefined ? model.delete(keyOf(k).toString()) : model.set(keyOf(k).toString(), v);
      expect(await scan(entries, backing)).toEqual(model);
    } else {
      await backing.write(changelog.slice(backing.checkpoint ?? 0), changelog.length);
      ({ entries, read, write } = open());
      staged = new Map();
      inFlight = undefined;
      for (let k = 0; k <= 40; k++) expect(read(keyOf(k), true)).toBe(committed.get(k));
    }
  }
  return { heldBack };
}

/** Entries under test, with reads and writes of string values (`committedRead`: the key has no staged write). */
type Subject = { entries: StagedEntries<string> | StagedEntries<Boxed>; read(key: Buffer, committedRead: boolean): string | undefined; write(key: Buffer, value: string | undefined): void };

function plainEntries(backing: MemoryBacking, writeBehind: WriteBehindLimits | undefined): Subject {
  const entries = new StagedEntries(backing, codec, { cacheEntries: 8, ...(writeBehind && { writeBehind }) });
  return { entries, read: (key) => entries.get(key), write: (key, value) => entries.put(key, value, 0) };
}

/**
 * Boxed values, reusing committed objects. A reader of a committed value scribbles on the object
 * it got (a staged one is the writer's own, as window stores change their staged items in place).
 */
function boxedEntries(backing: MemoryBacking, writeBehind: WriteBehindLimits | undefined): Subject {
  const entries = new StagedEntries(backing, boxedCodec, { cacheEntries: 8, reuseCommitted: true, ...(writeBehind && { writeBehind }) });
  return {
    entries,
    read: (key, committedRead) => {
      const got = entries.get(key);
      const s = got?.s;
      if (got !== undefined && committedRead) got.s = 'scribbled';
      return s;
    },
    write: (key, value) => entries.put(key, value === undefined ? undefined : { s: value }, 0),
  };
}

describe('StagedEntries', () => {
  it('reads and scans what a reference model holds, with a committed-value cache far smaller than the keys', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 50, maxLength: 300 }), async (ops) => void (await check(ops, undefined))), { numRuns: 200 });
  });

  it('with write-behind: reads, scans and a restart that replays the changelog from the backing checkpoint match the model', async () => {
    let heldBack = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 50, maxLength: 300 }), async (ops) => {
        heldBack += (await check(ops, { keys: 6, records: 15 })).heldBack;
      }),
      { numRuns: 200 },
    );
    expect(heldBack).toBeGreaterThan(0); // commits did leave writes held back from the backing
  });

  it('reusing committed objects: a reader changing the object it got changes nothing later reads see, with and without write-behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 50, maxLength: 300 }), fc.boolean(), async (ops, held) => void (await check(ops, held ? { keys: 6, records: 15 } : undefined, true))),
      { numRuns: 200 },
    );
  });

  it('holds back commits of recently committed keys until enough keys wait, writes mostly-new keys at once, and all on writeUnwritten', async () => {
    const backing = new MemoryBacking();
    const entries = new StagedEntries(backing, codec, { writeBehind: { keys: 3, records: 1000 } });
    const commit = async (keys: number[], at: number) => {
      for (const k of keys) entries.put(keyOf(k), `v${at}`, 0);
      entries.prepareCommit();
      await entries.commit(at);
    };
    await commit([1, 2], 1); // new keys: holding them saves nothing
    expect(backing.checkpoint).toBe(1);
    expect(entries.cachedCount).toBe(0); // and, each written once, they are not cached
    await commit([1, 2], 2); // so the same keys again still look new
    expect(backing.checkpoint).toBe(2);
    await commit([1, 1, 2, 2], 3); // written twice since the last commit: repeats, held back
    expect(backing.checkpoint).toBe(2);
    expect(entries.cachedCount).toBe(2);
    expect(backing.get(keyOf(1))?.toString()).toBe('v2');
    expect(entries.get(keyOf(1))).toBe('v3');
    await commit([1, 2, 3], 4); // mostly repeats, but now 3 keys wait
    expect(backing.checkpoint).toBe(4);
    expect(backing.get(keyOf(3))?.toString()).toBe('v4');
    await commit([3], 5); // cached by the last commit (mostly repeats): held back
    expect(backing.checkpoint).toBe(4);
    await entries.writeUnwritten();
    expect(backing.checkpoint).toBe(5);
    expect(backing.get(keyOf(3))?.toString()).toBe('v5');
    await commit([1], 6);
    await commit([7, 8, 1], 7); // two new keys of three: written, with the held-back one
    expect(backing.checkpoint).toBe(7);
    expect(backing.get(keyOf(8))?.toString()).toBe('v7');
  });

  it('forgetting expired segments drops their cached entries too, and reads of them find nothing', async () => {
    const backing = new MemoryBacking();
    const entries = new StagedEntries<string>(backing, codec);
    // Keys as a window store writes them: segment first, so that a segment's keys sort together.
    const segmentKey = (segment: number, n: number) => Buffer.from(`s${segment}-k${String(n).padStart(3, '0')}`);
    for (let segment = 0; segment < 10; segment++) {
      // Each key written twice in its commit, so that it is cached (see the test below).
      for (let n = 0; n < 200; n++) entries.put(segmentKey(segment, n % 100), `v${segment}-${n % 100}`, 0);
      entries.prepareCommit();
      await entries.commit(segment);
    }
    expect(entries.cachedCount).toBe(1000);
    entries.forgetBelow(Buffer.from('s5'));
    expect(entries.cachedCount).toBe(500);
    expect(entries.get(segmentKey(6, 7))).toBe('v6-7');
    // The backing still has them (the store deletes the range itself); the cache must not answer for them either way.
    await backing.write([{ key: segmentKey(4, 1), value: null, timestamp: 0 }], undefined);
    expect(entries.get(segmentKey(4, 1))).toBeUndefined();
  });

  it('caches neither absent keys read nor keys a mostly-new commit wrote once, and reads them from the backing', async () => {
    const backing = new MemoryBacking();
    const entries = new StagedEntries<string>(backing, codec);
    const commit = async (at: number) => {
      entries.prepareCommit();
      await entries.commit(at);
    };
    for (let k = 0; k < 100; k++) expect(entries.get(keyOf(k))).toBeUndefined();
    expect(entries.cachedCount).toBe(0);
    for (let k = 0; k < 100; k++) entries.put(keyOf(k), `a${k}`, 0);
    entries.put(keyOf(7), 'b7', 0); // one key written twice
    await commit(1);
    expect(entries.cachedCount).toBe(1);
    expect(entries.get(keyOf(7))).toBe('b7');
    expect(entries.get(keyOf(8))).toBe('a8'); // from the backing; found values are cached as before
    expect(entries.cachedCount).toBe(2);
    // A commit of mostly repeats caches its new keys too.
    for (let k = 0; k < 10; k++) entries.put(keyOf(k), `c${k}`, 0);
    for (let k = 0; k < 10; k++) entries.put(keyOf(k), `d${k}`, 0);
    entries.put(keyOf(500), 'new', 0);
    await commit(2);
    expect(entries.cachedCount).toBe(11); // 7 and 8, the other eight of 0-9, and 500
    expect(entries.get(keyOf(500))).toBe('new');
    expect(entries.get(keyOf(3))).toBe('d3');
  });
});
