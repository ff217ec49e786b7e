/** Combines the two sides of a join. Kafka Streams: `ValueJoiner`. A missing side is null. */
export type ValueJoiner<V1, V2, VR> = (left: V1, right: V2) => VR;

/** A joiner that also gets the key. Kafka Streams: `ValueJoinerWithKey`. */
export type ValueJoinerWithKey<K, V1, V2, VR> = (key: K, left: V1, right: V2) => VR;

/** The joiner as `(key, left, right)`: one declaring three parameters is given the key. */
export function joinerWithKey<K, V1, V2, VR>(joiner: ValueJoiner<V1, V2, VR> | ValueJoinerWithKey<K, V1, V2, VR>): ValueJoinerWithKey<K, V1, V2, VR> {
  if (typeof joiner !== 'function') throw new TypeError(`A joiner must be a function, got ${typeof joiner}`);
  if (joiner.length >= 3) return joiner as ValueJoinerWithKey<K, V1, V2, VR>;
  const plain = joiner as ValueJoiner<V1, V2, VR>;
  return (_key, left, right) => plain(left, right);
}
