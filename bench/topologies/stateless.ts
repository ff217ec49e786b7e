// The stateless bench topology (filter → mapValues → to) as a module, so stream threads (worker
// threads) can build it too. streams.bench.ts runs the same work in-process and in a plain loop.
import { Serdes, StreamsBuilder, type Serde } from '../../src/index.js';

export type Event = { id: number; user: string; page: string; amount: number };

/** The per-record work of a topology: serdes, predicate, mapper. */
export type Work<V, V2> = { key: Serde<string>; value: Serde<V>; out: Serde<V2>; keep: (k: string, v: V) => boolean; map: (k: string, v: V) => V2 };

export const stringWork: Work<string, string> = { key: Serdes.string(), value: Serdes.string(), out: Serdes.string(), keep: (_k, v) => v.charCodeAt(0) !== 33, map: (_k, v) => v.toUpperCase() };

type Priced = Event & { amountCents: number };

/**
 * JSON events, the output built as an object literal. The target row: it measures parsing,
 * filtering, mapping and writing JSON, not one V8 path (see jsonSpreadWork).
 */
export const jsonWork: Work<Event, Priced> = {
  key: Serdes.string(),
  value: Serdes.json<Event>(),
  out: Serdes.json<Priced>(),
  keep: (_k, e) => e.amount >= 0,
  map: (_k, e) => ({ id: e.id, user: e.user, page: e.page, amount: e.amount, amountCents: Math.round(e.amount * 100) }),
};

/**
 * The same, the output built with `{ ...e, amountCents }`. On Node 20, a spread followed by another
 * property takes V8's slow path: with JSON.stringify after it, ~1.1 µs per record more than the
 * literal in a plain loop, more than JSON.parse costs. Measured alongside, so the README can say
 * what it costs an app.
 */
export const jsonSpreadWork: Work<Event, Priced> = { ...jsonWork, map: (_k, e) => ({ ...e, amountCents: Math.round(e.amount * 100) }) };

function topologyOf<V, V2>(work: Work<V, V2>) {
  const builder = new StreamsBuilder();
  builder.stream('in', { key: work.key, value: work.value }).filter(work.keep).mapValues(work.map).to('out', { key: work.key, value: work.out });
  return builder.build();
}

export const stringTopology = () => topologyOf(stringWork);
export const jsonTopology = () => topologyOf(jsonWork);
export const jsonSpreadTopology = () => topologyOf(jsonSpreadWork);
