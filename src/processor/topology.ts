import type { Serde } from '../serdes/serde.js';
import type { StateStore, StoreBuilder } from '../state/state-store.js';
import { checkTopicName } from './internals/topic-name.js';
import type { ProcessorSupplier } from './processor.js';
import { describeTopology, mermaidTopology } from './topology-description.js';
import { TopologyError } from './topology-error.js';
import type {
  SinkNode,
  SourceNode,
  StreamPartitioner,
  Subtopology,
  TimestampExtractor,
  TopicNameExtractor,
  TopologyNode,
} from './topology-nodes.js';

export type SourceOptions<K, V> = { keySerde?: Serde<K>; valueSerde?: Serde<V>; timestampExtractor?: TimestampExtractor<K, V> };
export type SinkOptions<K, V> = { keySerde?: Serde<K>; valueSerde?: Serde<V>; partitioner?: StreamPartitioner<K, V> };

/** A store every instance keeps whole, fed from every partition of a topic (GlobalKTable). */
export type GlobalStore = { builder: StoreBuilder; topic: string; keySerde: Serde<unknown> | undefined; valueSerde: Serde<unknown> | undefined };

/** An internal topic the application owns; its real name is `<applicationId>-<name>`. */
export type InternalTopic = { name: string; partitions: number | undefined };

/**
 * A processor topology: sources read topics, processors transform, sinks write topics. Built
 * with the Processor API directly or by `StreamsBuilder.build()`. Kafka Streams equivalent: `Topology`.
 *
 * @example
 * const topology = new Topology()
 *   .addSource('in', ['words'], { valueSerde: Serdes.string() })
 *   .addProcessor('upper', upperSupplier, 'in')
 *   .addSink('out', 'upper-words', { valueSerde: Serdes.string() }, 'upper');
 */
export class Topology {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly storeBuilders = new Map<string, StoreBuilder>();
  private readonly internal = new Map<string, InternalTopic>();
  private readonly globals = new Map<string, GlobalStore>();
  private readonly copartitioned: string[][] = [];

  addSource<K, V>(name: string, topics: string[] | RegExp, options: SourceOptions<K, V> = {}): this {
    this.checkNewName(name);
    if (Array.isArray(topics) && topics.length === 0) throw new TopologyError(`Source "${name}" needs at least one topic`);
    if (Array.isArray(topics)) for (const t of topics) checkTopicName(name, t);
    const node: SourceNode = {
      kind: 'source',
      name,
      topics: Array.isArray(topics) ? [...topics] : topics,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor as TimestampExtractor | undefined,
    };
    this.nodes.set(name, node);
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parents: string[]): this {
    this.checkNewName(name);
    this.checkParents(name, parents);
    this.nodes.set(name, { kind: 'processor', name, supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parents, stores: [] });
    return this;
  }

  addSink<K, V>(name: string, topic: string | TopicNameExtractor<K, V>, options: SinkOptions<K, V>, ...parents: string[]): this {
    this.checkNewName(name);
    if (typeof topic !== 'function') checkTopicName(name, topic);
    this.checkParents(name, parents);
    const node: SinkNode = {
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      partitioner: options.partitioner as StreamPartitioner<unknown, unknown> | undefined,
      parents,
    };
    this.nodes.set(name, node);
    return this;
  }

  /** Adds a store and connects it to the named processors (they reach it with getStateStore). */
  addStateStore<S extends StateStore>(builder: StoreBuilder<S>, ...processorNames: string[]): this {
    if (this.storeBuilders.has(builder.name)) throw new TopologyError(`A state store named "${builder.name}" already exists`);
    this.storeBuilders.set(builder.name, builder);
    this.connectProcessorAndStateStores(...processorNames.map((p) => [p, builder.name] as const));
    return this;
  }

  /** Gives processors access to stores already added. */
  connectProcessorAndStateStores(...pairs: (readonly [processorName: string, storeName: string])[]): this {
    for (const [processorName, storeName] of pairs) {
      const node = this.nodes.get(processorName);
      if (node?.kind !== 'processor') throw new TopologyError(`Cannot connect store "${storeName}": no processor named "${processorName}"`);
      if (!this.storeBuilders.has(storeName) && !this.globals.has(storeName)) throw new TopologyError(`Processor "${processorName}" uses store "${storeName}", which was never added (addStateStore or addGlobalStore)`);
      if (!node.stores.includes(storeName)) node.stores.push(storeName);
    }
    return this;
  }

  /**
   * Adds a global store: each app instance loads every partition of `topic` into it (the topic is
   * its changelog) and keeps it up to date. Kafka Streams: `addGlobalStore`.
   */
  addGlobalStore<K, V>(builder: StoreBuilder, topic: string, options: { keySerde?: Serde<K>; valueSerde?: Serde<V> } = {}): this {
    if (this.storeBuilders.has(builder.name) || this.globals.has(builder.name)) throw new TopologyError(`A state store named "${builder.name}" already exists`);
    checkTopicName(builder.name, topic);
    if (builder.logging) throw new TopologyError(`Global store "${builder.name}" must not have a changelog: its topic "${topic}" is one`);
    this.globals.set(builder.name, { builder, topic, keySerde: options.keySerde as Serde<unknown> | undefined, valueSerde: options.valueSerde as Serde<unknown> | undefined });
    return this;
  }

  /** @internal */
  get globalStores(): ReadonlyMap<string, GlobalStore> {
    return this.globals;
  }

  /**
   * Declares that the inputs upstream of these nodes must be co-partitioned (a join): their
   * topics need equal partition counts, checked when the counts are known (see copartitionGroups).
   */
  addCopartitionGroup(...nodeNames: string[]): this {
    for (const name of nodeNames) if (!this.nodes.has(name)) throw new TopologyError(`Co-partition group names node "${name}", which does not exist`);
    this.copartitioned.push([...nodeNames]);
    return this;
  }

  /**
   * @internal The topics (internal ones unprefixed) each co-partition group reads: the source
   * topics upstream of its nodes, found by walking parent links and the nodes sharing a store.
   */
  copartitionGroups(): string[][] {
    return this.copartitioned.map((names) => [...new Set(names.flatMap((n) => this.upstreamTopics(n)))]);
  }

  private upstreamTopics(start: string): string[] {
    const seen = new Set<string>();
    const topics: string[] = [];
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const node = this.nodes.get(name)!;
      if (node.kind === 'source') {
        if (Array.isArray(node.topics)) topics.push(...node.topics);
        return;
      }
      for (const p of node.parents) visit(p);
    };
    visit(start);
    return topics;
  }

  /** Declares an application-owned topic (a repartition topic); sources and sinks name it unprefixed. */
  addInternalTopic(name: string, partitions?: number): this {
    this.internal.set(name, { name, partitions });
    return this;
  }

  /** @internal */
  get internalTopics(): ReadonlyMap<string, InternalTopic> {
    return this.internal;
  }

  /** @internal */
  storeBuilder(name: string): StoreBuilder {
    const builder = this.storeBuilders.get(name) ?? this.globals.get(name)?.builder;
    if (builder === undefined) throw new TopologyError(`No state store named "${name}"`);
    return builder;
  }

  /** @internal Sub-topologies: nodes linked by parent edges or a shared store, in insertion order. */
  subtopologies(): Subtopology[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(x, root);
      return root;
    };
    const union = (a: string, b: string) => parent.set(find(a), find(b));
    for (const name of this.nodes.keys()) parent.set(name, name);
    const storeOwner = new Map<string, string>();
    for (const node of this.nodes.values()) {
      if (node.kind !== 'source') for (const p of node.parents) union(node.name, p);
      if (node.kind === 'processor') {
        for (const store of node.stores) {
          if (this.globals.has(store)) continue; // every task reads global stores: no link
          const owner = storeOwner.get(store);
          if (owner === undefined) storeOwner.set(store, node.name);
          else union(node.name, owner);
        }
      }
    }
    const groups = new Map<string, TopologyNode[]>();
    for (const node of this.nodes.values()) {
      const root = find(node.name);
      groups.set(root, [...(groups.get(root) ?? []), node]);
    }
    return [...groups.values()].map((nodes, id) => {
      const sources = nodes.filter((n): n is SourceNode => n.kind === 'source');
      return {
        id,
        nodes,
        sourceTopics: sources.flatMap((s) => (Array.isArray(s.topics) ? s.topics : [])),
        sourcePatterns: sources.flatMap((s) => (s.topics instanceof RegExp ? [s.topics] : [])),
        sinkTopics: nodes.flatMap((n) => (n.kind === 'sink' && typeof n.topic === 'string' ? [n.topic] : [])),
        stores: [...new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores.filter((s) => !this.globals.has(s)) : [])))],
      };
    });
  }

  /** The topology as text, in the layout of Kafka Streams' `TopologyDescription.toString()`. */
  describe(): string {
    return describeTopology(this.subtopologies(), this.describedGlobals());
  }

  /** The topology as a Mermaid flowchart (paste into a Markdown ```mermaid block). */
  describeMermaid(): string {
    return mermaidTopology(this.subtopologies(), this.describedGlobals());
  }

  private describedGlobals(): { name: string; topic: string }[] {
    return [...this.globals.values()].map((g) => ({ name: g.builder.name, topic: g.topic }));
  }

  private checkNewName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new TopologyError('A node needs a non-empty name');
    if (this.nodes.has(name)) throw new TopologyError(`A node named "${name}" already exists; give this one another name (Named.as)`);
  }

  private checkParents(name: string, parents: string[]): void {
    if (parents.length === 0) throw new TopologyError(`Node "${name}" needs at least one parent`);
    for (const p of parents) {
      const node = this.nodes.get(p);
      if (node === undefined) throw new TopologyError(`Node "${name}" names parent "${p}", which does not exist (add parents first)`);
      if (node.kind === 'sink') throw new TopologyError(`Node "${name}" cannot follow sink "${p}": sinks have no children`);
    }
  }
}
