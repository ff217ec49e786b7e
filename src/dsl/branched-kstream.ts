import { branchRecords } from '../processor/stateless/branch-records.js';
import { passThrough } from '../processor/stateless/pass-through.js';
import { TopologyError } from '../processor/topology-error.js';
import type { Graph } from './internals/graph.js';
import { KStream } from './kstream.js';

/** Options of one branch. Kafka Streams equivalent: `Branched`. */
export type Branched<K, V> = {
  /** Branch name; the result map's key is `<split name><branch name>` (default: its index). */
  readonly name?: string;
  /** Terminal use of the branch stream (then it is not in the result map). */
  readonly withConsumer?: (stream: KStream<K, V>) => void;
};

/**
 * The result of `split()`: add branches with `branch`, finish with `defaultBranch` or
 * `noDefaultBranch`, which return the branch streams by name. Kafka Streams equivalent:
 * `BranchedKStream`.
 *
 * @example
 * const { 'route-big': big, 'route-0': rest } = stream.split({ name: 'route-' })
 *   .branch((_k, v) => v.amount > 100, { name: 'big' })
 *   .defaultBranch();
 */
export class BranchedKStream<K, V> {
  private readonly branches: { predicate: (key: K, value: V) => boolean; branched: Branched<K, V> }[] = [];
  private done = false;

  /** @internal */
  constructor(
    private readonly graph: Graph,
    private readonly parent: KStream<K, V>,
    private readonly prefix: string | undefined,
  ) {}

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = {}): this {
    if (this.done) throw new TopologyError('This split is finished; add branches before defaultBranch/noDefaultBranch');
    this.branches.push({ predicate, branched });
    return this;
  }

  /** Records that match no branch go to a last branch. */
  defaultBranch(branched: Branched<K, V> = {}): Record<string, KStream<K, V>> {
    return this.finish({ predicate: () => true, branched });
  }

  /** Records that match no branch are dropped. */
  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.finish(undefined);
  }

  private finish(fallback: { predicate: (key: K, value: V) => boolean; branched: Branched<K, V> } | undefined): Record<string, KStream<K, V>> {
    this.done = true;
    const all = fallback === undefined ? this.branches : [...this.branches, fallback];
    const splitName = this.graph.nodeName('KSTREAM-BRANCH', this.prefix === undefined ? undefined : `${this.prefix}split`);
    const children = all.map((b, i) => this.graph.nodeName('KSTREAM-BRANCHCHILD', `${this.prefix ?? `${splitName}-`}${b.branched.name ?? String(i)}`));
    const routes = this.branches.map((b, i) => ({ predicate: (r: { key: K; value: V }) => b.predicate(r.key, r.value), child: children[i]! }));
    const defaultChild = fallback === undefined ? undefined : children[children.length - 1];
    const parent = this.parent.nodeName;
    this.graph.add((t) => {
      t.addProcessor(splitName, branchRecords<K, V>(routes, defaultChild), parent);
      for (const child of children) t.addProcessor(child, passThrough<K, V>(), splitName);
    });
    const result: Record<string, KStream<K, V>> = {};
    all.forEach((b, i) => {
      const stream = new KStream<K, V>(this.graph, children[i]!, this.parent.keySerde, this.parent.valueSerde);
      if (b.branched.withConsumer !== undefined) b.branched.withConsumer(stream);
      else result[children[i]!] = stream;
    });
    return result;
  }
}
