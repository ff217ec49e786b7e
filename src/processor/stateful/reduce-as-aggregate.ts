/** Stands for "no value yet" inside a reduce; never stored (the first value replaces it at once). */
const NOTHING: unique symbol = Symbol('nothing yet');

/**
 * Kafka Streams' reduce as an aggregate: the first value is the aggregate as it is, later ones are
 * combined with `reducer`. `combine` also merges two aggregates (session merges), either of which
 * may still be empty.
 */
export function reduceAsAggregate<V>(reducer: (aggregate: V, value: V) => V): { initializer: () => V; aggregator: (key: unknown, value: V, aggregate: V) => V; combine: (a: V, b: V) => V } {
  const empty = NOTHING as unknown as V;
  const combine = (a: V, b: V): V => (a === empty ? b : b === empty ? a : reducer(a, b));
  return { initializer: () => empty, aggregator: (_key, value, aggregate) => combine(aggregate, value), combine };
}
