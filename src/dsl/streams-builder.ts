import type { Topology } from '../processor/topology.js';
import { Graph } from './internals/graph.js';
import { serdes } from './internals/serde-options.js';
import { KStream } from './kstream.js';
import type { Consumed } from './options.js';

/**
 * Entry point of the DSL: declare input streams, chain operators, then `build()` a Topology.
 * Kafka Streams equivalent: `StreamsBuilder`.
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream('words', { key: Serdes.string(), value: Serdes.string() })
 *   .filter((_k, word) => word.length > 3)
 *   .to('long-words');
 * const topology = builder.build();
 */
export class StreamsBuilder {
  private readonly graph = new Graph();

  /** A stream of the records of one topic, several topics, or every topic matching a RegExp. */
  stream<K = unknown, V = unknown>(topics: string | string[] | RegExp, consumed: Consumed<K, V> = {}): KStream<K, V> {
    const name = this.graph.nodeName('KSTREAM-SOURCE', consumed.name);
    const list = typeof topics === 'string' ? [topics] : topics;
    this.graph.add((t) => t.addSource(name, list, { ...serdes(consumed.key, consumed.value), ...(consumed.timestampExtractor && { timestampExtractor: consumed.timestampExtractor }) }));
    return new KStream<K, V>(this.graph, name, consumed.key, consumed.value);
  }

  /** Compiles everything declared so far into a Topology. */
  build(): Topology {
    return this.graph.build();
  }
}
