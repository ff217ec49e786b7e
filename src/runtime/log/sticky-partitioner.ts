/**
 * Where null-key records go when no partition is given, on every backend: all such records of one
 * produce call to one partition per topic (Kafka's sticky partitioner), the next call to the next
 * partition (round robin across calls).
 */
export class StickyPartitioner {
  private readonly next = new Map<string, number>();

  /** A chooser for one produce call. */
  forCall(): (topic: string, partitions: number) => number {
    const chosen = new Map<string, number>();
    return (topic, partitions) => {
      let p = chosen.get(topic);
      if (p === undefined) {
        const n = this.next.get(topic) ?? 0;
        p = n % partitions;
        this.next.set(topic, (n + 1) % partitions);
        chosen.set(topic, p);
      }
      return p;
    };
  }
}
