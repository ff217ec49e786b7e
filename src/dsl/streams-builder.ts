import type { Topology } from '../processor/topology.js';
import { Graph } from './internals/graph.js';
import { serdes } from './internals/serde-options.js';
import { KStream } from './kstream.js';
import type { Consumed } from './options.js';
import { checkTopicName } from '../processor/internals/topic-name.js';
import { tableSource } from '../processor/stateful/table-source.js';
import { Stores } from '../state/stores.js';
import { storeOptionsFrom } from './internals/store-options-from.js';
import { KTable } from './ktable.js';
import { GlobalKTable } from './global-ktable.js';
import type { Materialized } from './materialized.js';

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
    if (Array.isArray(list)) for (const topic of list) checkTopicName(name, topic);
    this.graph.add((t) => t.addSource(name, list, { ...serdes(consumed.key, consumed.value), ...(consumed.timestampExtractor && { timestampExtractor: consumed.timestampExtractor }) }));
    return new KStream<K, V>(this.graph, name, consumed.key, consumed.value);
  }

  /**
   * A table of a topic: each record is its key's latest value, a null value deletes the key. The
   * table is materialized in a store (`materialized.name`, queryable with app.store). Its
   * changelog is a topic of its own, as in Kafka Streams without source-topic optimization.
   */
  table<K = unknown, V = unknown>(topic: string, consumed: Consumed<K, V> = {}, materialized: Materialized<K, V> = {}): KTable<K, V> {
    const source = this.graph.nodeName('KSTREAM-SOURCE', consumed.name);
    checkTopicName(source, topic);
    const name = this.graph.nodeName('KTABLE-SOURCE');
    const storeName = materialized.name ?? this.graph.nodeName('KTABLE-SOURCE-STATE-STORE');
    const keySerde = materialized.keySerde ?? consumed.key;
    const valueSerde = materialized.valueSerde ?? consumed.value;
    const store = Stores.keyValueStore<K, V>(storeOptionsFrom(storeName, materialized, keySerde, valueSerde));
    this.graph.add((t) => {
      t.addSource(source, [topic], { ...serdes(consumed.key, consumed.value), ...(consumed.timestampExtractor && { timestampExtractor: consumed.timestampExtractor }) });
      t.addProcessor(name, tableSource<K, V>(storeName), source);
      t.addStateStore(store, name);
    });
    return new KTable<K, V>(this.graph, name, keySerde, valueSerde, storeName);
  }

  /**
   * A global table of a topic: every instance loads all its partitions into a local store (no
   * changelog of its own: the topic is one) before processing, then follows new records.
   */
  globalTable<K = unknown, V = unknown>(topic: string, consumed: Consumed<K, V> = {}, materialized: Omit<Materialized<K, V>, 'logging' | 'caching' | 'retentionMs'> = {}): GlobalKTable<K, V> {
    const storeName = materialized.name ?? this.graph.nodeName('GLOBALKTABLE-SOURCE-STATE-STORE');
    checkTopicName(storeName, topic);
    const keySerde = materialized.keySerde ?? consumed.key;
    const valueSerde = materialized.valueSerde ?? consumed.value;
    const store = Stores.keyValueStore<K, V>({ ...storeOptionsFrom(storeName, materialized, keySerde, valueSerde), logging: false, caching: false });
    this.graph.add((t) => t.addGlobalStore(store, topic, serdes(keySerde, valueSerde)));
    return new GlobalKTable<K, V>(storeName, keySerde, valueSerde);
  }

  /** Compiles everything declared so far into a Topology. */
  build(): Topology {
    return this.graph.build();
  }
}
