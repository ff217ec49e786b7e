// The stateless bench topology (filter → mapValues → to) as a module, so stream threads (worker
// threads) can build it too. streams.bench.ts runs the same work in-process and in a plain loop.
import { Serdes, StreamsBuilder, type Serde } from '../../src/index.js';

export type Event = { id: number; user: string; page: string; amount: number };

/** The per-record work of a topology: serdes, predicate, mapper. */
export type Work<V, V2> = { key: Serde<string>; value: Serde<V>; out: Serde<V2>; keep: (k: string, v: V) => boolean; map: (k: string, v: V) => V2 };

export const stringWork: Work<string, string> = { key: Serdes.string(), value: Serdes.string(), out: Serdes.string(), keep: (_k, v) => v.charCodeAt(0) !== 33, map: (_k, v) => v.toUpperCase() };

export const jsonWork: Work<Event, Event & { amountCents: number }> = {
  key: Serdes.string(),
  value: Serdes.json<Event>(),
  out: Serdes.json<Event & { amountCents: number }>(),
  keep: (_k, e) => e.amount >= 0,
  map: (_k, e) => ({ ...e, amountCents: Math.round(e.amount * 100) }),
};

function topologyOf<V, V2>(work: Work<V, V2>) {
  const builder = new StreamsBuilder();
  builder.stream('in', { key: work.key, value: work.value }).filter(work.keep).mapValues(work.map).to('out', { key: work.key, value: work.out });
  return builder.build();
}

export const stringTopology = () => topologyOf(stringWork);
export const jsonTopology = () => topologyOf(jsonWork);
