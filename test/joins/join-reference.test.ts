import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';
import { stringStreamJoin, type StreamJoinKind } from './string-stream-join.js';

const s = Serdes.string();
type Kind = StreamJoinKind;
type Rec = { left: boolean; key: string; value: string; ts: number };
type Out = [key: string, value: string, ts: number];

/**
 * Reference model of a windowed stream-stream join, written from the semantics rather than the
 * implementation: stream time is the largest timestamp seen on either side; a record whose window
 * end + grace is behind it is dropped; a record joins every earlier-arrived record of the other
 * side with the same key within its window (result at the later timestamp, partners oldest
 * first); a left/outer record without partner waits and is emitted with null once stream time
 * passes its window end + grace (oldest first, left before right), unless a partner came first.
 */
function referenceJoin(kind: Kind, w: { before: number; after: number; grace: number }, input: Rec[]): Out[] {
  const out: Out[] = [];
  const seen: Rec[] = [];
  const waiting: (Rec & { closesAt: number; seq: number })[] = [];
  let streamTime = -1;
  let seq = 0;
  const outer = (r: Rec) => kind === 'outerJoin' || (kind === 'leftJoin' && r.left);
  for (const r of input) {
    streamTime = Math.max(streamTime, r.ts);
    const ahead = r.left ? w.after : w.before;
    const back = r.left ? w.before : w.after;
    if (r.ts + ahead + w.grace < streamTime) continue;
    const closed = waiting.filter((x) => x.closesAt < streamTime).sort((a, b) => a.ts - b.ts || Number(b.left) - Number(a.left) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.seq - b.seq);
    for (const x of closed) {
      waiting.splice(waiting.indexOf(x), 1);
      out.push([x.key, x.left ? `${x.value}+null` : `null+${x.value}`, x.ts]);
    }
    const partners = seen.filter((o) => o.left !== r.left && o.key === r.key && o.ts >= r.ts - back && o.ts <= r.ts + ahead).sort((a, b) => a.ts - b.ts);
    for (const p of partners) {
      for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]!.left === p.left && waiting[i]!.key === p.key && waiting[i]!.ts === p.ts) waiting.splice(i, 1);
      out.push([r.key, r.left ? `${r.value}+${p.value}` : `${p.value}+${r.value}`, Math.max(r.ts, p.ts)]);
    }
    if (partners.length === 0 && outer(r)) waiting.push({ ...r, closesAt: r.ts + (r.left ? w.after : w.before) + w.grace, seq: seq++ });
    seen.push(r);
  }
  return out;
}

const records = fc.array(
  fc.record({ left: fc.boolean(), key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 60 }) }),
  { minLength: 1, maxLength: 40 },
);

describe('stream-stream joins against a reference model', () => {
  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`${kind}: same results in the same order for random streams and windows`, async () => {
      await fc.assert(
        fc.asyncProperty(records, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 10 }), async (recs, before, after, grace) => {
          const input = recs.map((r, i) => ({ ...r, value: `${r.left ? 'L' : 'R'}${i}` }));
          const windows = JoinWindows.ofTimeDifferenceAndGrace(0, grace).after(after).before(before);
          const { driver, left, right, read } = stringStreamJoin(kind, windows, 'ref');
          try {
            for (const r of input) await (r.left ? left : right).pipeInput(r.key, r.value, r.ts);
            expect(read()).toEqual(referenceJoin(kind, { before, after, grace }, input));
          } finally {
            await driver.close();
          }
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});

type Row = { fk: string | null; n: number };
type Step = { table: 'left'; key: string; row: Row | null } | { table: 'right'; key: string; value: string | null };

const steps = fc.array(
  fc.oneof(
    fc.record({ table: fc.constant('left' as const), key: fc.constantFrom('k1', 'k2', 'k3', 'k4'), row: fc.option(fc.record({ fk: fc.option(fc.constantFrom('f1', 'f2', 'f3'), { freq: 5 }), n: fc.integer({ min: 0, max: 99 }) }), { freq: 5 }) }),
    fc.record({ table: fc.constant('right' as const), key: fc.constantFrom('f1', 'f2', 'f3', 'k1', 'k2'), value: fc.option(fc.constantFrom('x', 'y', 'z'), { freq: 4 }) }),
  ),
  { minLength: 1, maxLength: 30 },
);

/** Replays steps into both tables and checks, after every step, the output's latest row per key against `expected`. */
async function checkTables(build: (l: ReturnType<StreamsBuilder['table']>, r: ReturnType<StreamsBuilder['table']>) => { toStream(): { to(topic: string, p: object): void } }, input: Step[], expected: (left: Map<string, Row>, right: Map<string, string>) => Map<string, string>) {
  const builder = new StreamsBuilder();
  const l = builder.table('left', { key: s, value: Serdes.json<Row>() });
  const r = builder.table('right', { key: s, value: s });
  build(l as never, r as never).toStream().to('out', { key: s, value: s });
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ref' });
  try {
    const leftIn = driver.createInputTopic('left', s, Serdes.json<Row>());
    const rightIn = driver.createInputTopic('right', s, s);
    const out = driver.createOutputTopic('out', s, s);
    const leftRows = new Map<string, Row>();
    const rightRows = new Map<string, string>();
    const view = new Map<string, string>();
    let t = 0;
    for (const step of input) {
      if (step.table === 'left') {
        if (step.row === null) leftRows.delete(step.key);
        else leftRows.set(step.key, step.row);
        await leftIn.pipeInput(step.key, step.row, t++);
      } else {
        if (step.value === null) rightRows.delete(step.key);
        else rightRows.set(step.key, step.value);
        await rightIn.pipeInput(step.key, step.value, t++);
      }
      for (const rec of out.readKeyValuesToList()) {
        if (rec.value === null) view.delete(rec.key);
        else view.set(rec.key, rec.value);
      }
      expect(Object.fromEntries(view), JSON.stringify(step)).toEqual(Object.fromEntries(expected(leftRows, rightRows)));
    }
  } finally {
    await driver.close();
  }
}

describe('table joins against a reference model, checked after every update', () => {
  for (const kind of ['join', 'leftJoin'] as const) {
    it(`foreign-key ${kind}: rows follow foreign-key changes, foreign updates and deletes`, async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (input) => {
          const joiner = (row: Row, v: string | null) => `${row.n}:${v}`;
          await checkTables(
            (l, r) => (kind === 'join' ? (l as never as { join: Function }).join(r, (row: Row) => row.fk, joiner) : (l as never as { leftJoin: Function }).leftJoin(r, (row: Row) => row.fk, joiner)),
            input,
            (left, right) => {
              const out = new Map<string, string>();
              for (const [k, row] of left) {
                const v = row.fk === null ? undefined : right.get(row.fk);
                if (v !== undefined || kind === 'leftJoin') out.set(k, joiner(row, v ?? null));
              }
              return out;
            },
          );
        }),
        { numRuns: 80 },
      );
    }, 120_000);
  }

  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`primary-key ${kind}: results follow updates and deletes of either side`, async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (input) => {
          const joiner = (row: Row | null, v: string | null) => `${row?.n ?? null}:${v}`;
          await checkTables(
            (l, r) => (l as never as Record<Kind, Function>)[kind](r, joiner),
            input,
            (left, right) => {
              const out = new Map<string, string>();
              for (const k of new Set([...left.keys(), ...right.keys()])) {
                const a = left.get(k);
                const b = right.get(k);
                const keep = kind === 'join' ? a !== undefined && b !== undefined : kind === 'leftJoin' ? a !== undefined : true;
                if (keep) out.set(k, joiner(a ?? null, b ?? null));
              }
              return out;
            },
          );
        }),
        { numRuns: 80 },
      );
    }, 120_000);
  }
});
