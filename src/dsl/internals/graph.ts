import { Topology } from '../../processor/topology.js';
import { TopologyError } from '../../processor/topology-error.js';
import { checkCopartitioning } from '../../processor/copartitioning.js';

/**
 * The DSL's logical graph: each operator appends one step that adds its nodes to a Topology.
 * Names are generated deterministically (`KSTREAM-FILTER-0000000001`), so the same program
 * always builds the same topology; an explicit name (Named.as) replaces the generated one.
 */
export class Graph {
  private counter = 0;
  private readonly steps: ((topology: Topology) => void)[] = [];
  private readonly used = new Set<string>();

  nodeName(prefix: string, explicit?: string): string {
    const index = this.counter++;
    const name = explicit ?? `${prefix}-${String(index).padStart(10, '0')}`;
    if (this.used.has(name)) throw new TopologyError(`The name "${name}" is used twice; names given with Named.as must be unique`);
    this.used.add(name);
    return name;
  }

  add(step: (topology: Topology) => void): void {
    this.steps.push(step);
  }

  build(): Topology {
    const topology = new Topology();
    for (const step of this.steps) step(topology);
    // Only internal topics with a declared partition count are known before the app starts;
    // StreamsApp repeats the check with every topic's real count.
    checkCopartitioning(topology, (topic) => topology.internalTopics.get(topic)?.partitions);
    return topology;
  }
}
