import type { ProcessorContext } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';

/** hold's key builder: the key was built already. */
const keyItself = <K>(key: K): K => key;

/** A held key; keys that share an id (other parts, e.g. other windows) follow it by `next`. */
type Held<K, V> = { key: K; part: number; newValue: V | undefined; oldValue: V | undefined; timestamp: number; next: Held<K, V> | undefined };

/**
 * Results an aggregation holds back while caching is on: per key, the value before the first
 * update of this commit interval and the latest one. On flush (commit) each key is forwarded
 * once, as Kafka Streams' record cache does; a key created and deleted in between sends nothing.
 */
export class HeldResults<K, V> {
  // Keyed by an id string plus a number (a window start): windowed callers pass the store's entry
  // key string, already hashed by the store's own lookup, instead of building a new string.
  private held = new Map<string, Held<K, V>>();

  hold(id: string, key: K, newValue: V | undefined, oldValue: V | undefined, timestamp: number, part = 0): void {
    this.holdLazy(id, part, keyItself, key, newValue, oldValue, timestamp);
  }

  /**
   * As hold, but the key is `key(arg, part)`, built only when the key is not held yet (a held key
   * just takes the new value): one map lookup per update, no key object per update.
   */
  holdLazy<A>(id: string, part: number, key: (arg: A, part: number) => K, arg: A, newValue: V | undefined, oldValue: V | undefined, timestamp: number): void {
    let last: Held<K, V> | undefined;
    for (let h = this.held.get(id); h !== undefined; h = h.next) {
      if (h.part === part) {
        h.newValue = newValue;
        h.timestamp = timestamp;
        return;
      }
      last = h;
    }
    // Appended: keys flush in the order they were first held.
    const entry = { key: key(arg, part), part, newValue, oldValue, timestamp, next: undefined };
    if (last === undefined) this.held.set(id, entry);
    else last.next = entry;
  }

  flush(context: ProcessorContext<K, Change<V>>): number {
    const held = this.held;
    if (held.size === 0) return 0;
    this.held = new Map();
    let n = 0;
    for (const first of held.values()) {
      for (let h: Held<K, V> | undefined = first; h !== undefined; h = h.next) {
        if (h.newValue === undefined && h.oldValue === undefined) continue;
        context.forward(new StreamRecord(h.key, { newValue: h.newValue, oldValue: h.oldValue }, h.timestamp));
        n++;
      }
    }
    return n;
  }
}
