import type { ProcessorSupplier } from '../processor/processor.js';
import type { StreamPartitioner, TimestampExtractor } from '../processor/topology-nodes.js';
import type { Serde } from '../serdes/serde.js';

/** How `builder.stream` reads a topic. Kafka Streams equivalent: `Consumed`. */
export type Consumed<K, V> = {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor<K, V>;
  /** Name of the source node (default `KSTREAM-SOURCE-<n>`). */
  readonly name?: string;
};

/** How `to` writes a topic. Kafka Streams equivalent: `Produced`. */
export type Produced<K, V> = {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
  readonly name?: string;
};

/** How `repartition` reshuffles a stream. Kafka Streams equivalent: `Repartitioned`. */
export type Repartitioned<K, V> = {
  /** Names the internal topic `<applicationId>-<name>-repartition`. */
  readonly name?: string;
  /** Partitions of the internal topic; default: as many as the upstream input topics. */
  readonly partitions?: number;
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
};

/** How `print` writes lines. Kafka Streams equivalent: `Printed`. */
export type Printed<K, V> = {
  readonly label?: string;
  readonly mapper?: (key: K, value: V) => string;
  /** Where lines go; default console.log. */
  readonly to?: (line: string) => void;
};

/** Options of `process`: a node name and the state stores the processor uses. */
export type ProcessOptions = { readonly name?: string; readonly stores?: readonly string[] };

/** Names a DSL operator's node. Kafka Streams equivalent: `Named`. */
export const Named = {
  as: (name: string): Named => Object.freeze({ name }),
};
export type Named = { readonly name: string };

export type { ProcessorSupplier };
