import type { ProcessorContext } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';

type Held<K, V> = { key: K; newValue: V | undefined; oldValue: V | undefined; timestamp: number };

/**
 * Results an aggregation holds back while caching is on: per key, the value before the first
 * update of this commit interval and the latest one. On flush (commit) each key is forwarded
 * once, as Kafka Streams' record cache does; a key created and deleted in between sends nothing.
 */
export class HeldResults<K, V> {
  private held = new Map<string, Held<K, V>>();

  hold(id: string, key: K, newValue: V | undefined, oldValue: V | undefined, timestamp: number): void {
    const h = this.held.get(id);
    if (h === undefined) this.held.set(id, { key, newValue, oldValue, timestamp });
    else {
      h.newValue = newValue;
      h.timestamp = timestamp;
    }
  }

  flush(context: ProcessorContext<K, Change<V>>): number {
    const held = this.held;
    if (held.size === 0) return 0;
    this.held = new Map();
    let n = 0;
    for (const h of held.values()) {
      if (h.newValue === undefined && h.oldValue === undefined) continue;
      context.forward(new StreamRecord(h.key, { newValue: h.newValue, oldValue: h.oldValue }, h.timestamp));
      n++;
    }
    return n;
  }
}
