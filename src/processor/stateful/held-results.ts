import type { ProcessorContext } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';

type Held<K, V> = { key: K; part: number; newValue: V | undefined; oldValue: V | undefined; timestamp: number };

/**
 * Results an aggregation holds back while caching is on: per key, the value before the first
 * update of this commit interval and the latest one. On flush (commit) each key is forwarded
 * once, as Kafka Streams' record cache does; a key created and deleted in between sends nothing.
 */
export class HeldResults<K, V> {
  // Keyed by an id string plus a number (a window start): windowed callers pass the store's entry
  // key string, already hashed by the store's own lookup, instead of building a new string.
  private held = new Map<string, Held<K, V>[]>();
  private count = 0;

  hold(id: string, key: K, newValue: V | undefined, oldValue: V | undefined, timestamp: number, part = 0): void {
    if (this.update(id, newValue, timestamp, part)) return;
    const entry = { key, part, newValue, oldValue, timestamp };
    const list = this.held.get(id);
    if (list === undefined) this.held.set(id, [entry]);
    else list.push(entry);
    this.count++;
  }

  /** Updates a key already held; false when it is not (then hold it, building its key only now). */
  update(id: string, newValue: V | undefined, timestamp: number, part = 0): boolean {
    const list = this.held.get(id);
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      if (h.part !== part) continue;
      h.newValue = newValue;
      h.timestamp = timestamp;
      return true;
    }
    return false;
  }

  flush(context: ProcessorContext<K, Change<V>>): number {
    const held = this.held;
    if (this.count === 0) return 0;
    this.held = new Map();
    this.count = 0;
    let n = 0;
    for (const list of held.values()) {
      for (const h of list) {
        if (h.newValue === undefined && h.oldValue === undefined) continue;
        context.forward(new StreamRecord(h.key, { newValue: h.newValue, oldValue: h.oldValue }, h.timestamp));
        n++;
      }
    }
    return n;
  }
}
