import type { Subtopology, TopologyNode } from './topology-nodes.js';

function children(all: TopologyNode[], name: string): string[] {
  return all.filter((n) => n.kind !== 'source' && n.parents.includes(name)).map((n) => n.name);
}

function topicsOf(node: TopologyNode): string {
  if (node.kind === 'source') return Array.isArray(node.topics) ? `topics: [${node.topics.join(', ')}]` : `topics: ${String(node.topics)}`;
  if (node.kind === 'sink') return typeof node.topic === 'string' ? `topic: ${node.topic}` : 'topic: (extracted per record)';
  return `stores: [${node.stores.join(', ')}]`;
}

/** A global store as a description shows it: its name and the topic it is loaded from. */
export type DescribedGlobalStore = { name: string; topic: string };

/** Text layout of Kafka Streams' TopologyDescription; global stores come last (they make no tasks). */
export function describeTopology(subtopologies: Subtopology[], globals: DescribedGlobalStore[] = []): string {
  const lines = ['Topologies:'];
  for (const sub of subtopologies) {
    lines.push(`   Sub-topology: ${sub.id}`);
    for (const node of sub.nodes) {
      const kind = node.kind === 'source' ? 'Source' : node.kind === 'sink' ? 'Sink' : 'Processor';
      lines.push(`    ${kind}: ${node.name} (${topicsOf(node)})`);
      const next = children(sub.nodes, node.name);
      if (node.kind !== 'sink') lines.push(`      --> ${next.length === 0 ? 'none' : next.join(', ')}`);
      if (node.kind !== 'source') lines.push(`      <-- ${node.parents.join(', ')}`);
    }
  }
  for (const g of globals) lines.push(`   Global store: ${g.name} (topic: ${g.topic}; every instance loads all partitions; no tasks)`);
  return `${lines.join('\n')}\n`;
}

const id = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

/** A Mermaid flowchart: one subgraph per sub-topology, topics as stadium-shaped nodes, global stores as cylinders. */
export function mermaidTopology(subtopologies: Subtopology[], globals: DescribedGlobalStore[] = []): string {
  const lines = ['flowchart TD'];
  const topics = new Set<string>();
  for (const sub of subtopologies) {
    lines.push(`  subgraph sub${sub.id}["Sub-topology ${sub.id}"]`);
    for (const node of sub.nodes) lines.push(`    ${id(node.name)}["${node.name}"]`);
    lines.push('  end');
    for (const node of sub.nodes) {
      if (node.kind === 'source') {
        for (const t of Array.isArray(node.topics) ? node.topics : [String(node.topics)]) {
          topics.add(t);
          lines.push(`  topic_${id(t)} --> ${id(node.name)}`);
        }
      } else {
        for (const p of node.parents) lines.push(`  ${id(p)} --> ${id(node.name)}`);
        if (node.kind === 'sink' && typeof node.topic === 'string') {
          topics.add(node.topic);
          lines.push(`  ${id(node.name)} --> topic_${id(node.topic)}`);
        }
      }
    }
  }
  for (const g of globals) {
    topics.add(g.topic);
    lines.push(`  store_${id(g.name)}[("global store ${g.name}")]`, `  topic_${id(g.topic)} --> store_${id(g.name)}`);
  }
  for (const t of topics) lines.push(`  topic_${id(t)}(["${t}"])`);
  return `${lines.join('\n')}\n`;
}
