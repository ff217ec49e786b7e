import type { Serde } from '../serdes/serde.js';

/**
 * Options of a stream-stream join: serdes of the key and both values (for the window stores and
 * the unmatched-records buffer), names, and where the stores live. Kafka Streams: `StreamJoined`.
 */
export type StreamJoined<K, V, VO> = {
  /** Prefix of the join's processor names. */
  readonly name?: string;
  /** Prefix of the stores: `<storeName>-this-join-store`, `<storeName>-other-join-store`. */
  readonly storeName?: string;
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly otherValue?: Serde<VO>;
  readonly store?: 'level' | 'memory';
  readonly logging?: boolean;
};

/**
 * Options of a stream-table join: serdes used if the stream must be repartitioned first (its key
 * changed), and the processor name. Kafka Streams: `Joined`.
 */
export type Joined<K, V, VT> = {
  readonly name?: string;
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly otherValue?: Serde<VT>;
};
