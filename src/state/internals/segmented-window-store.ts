import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed.js';
import type { KeyValue } from '../state-store.js';
import type { WindowStore } from '../window-store.js';
import { SegmentedStore } from './segmented-store.js';
import type { WindowItem } from './window-items-codec.js';

/** What SegmentedWindowStore.updateWindow did. */
export type WindowUpdate<V> = { old: V | undefined; value: V; id: string };

/**
 * The built-in window store. Buckets are segments of window start time. With `retainDuplicates`
 * (join buffers) every put adds an entry, and several may share a window start.
 */
export class SegmentedWindowStore<K, V> extends SegmentedStore<K, V> implements WindowStore<K, V> {
  private readonly lastUpdate = { old: undefined, value: undefined, id: '' } as unknown as WindowUpdate<V>;

  constructor(
    name: string,
    serdes: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined },
    retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    caching: boolean,
  ) {
    // One window size per segment: a tumbling window is one entry, a fetch over a join window two.
    super(name, serdes, retentionMs, Math.max(1, windowSizeMs), caching);
  }

  protected isLive(item: WindowItem<V>, expiry: number): boolean {
    return item.start >= expiry;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.observe(windowStart);
    if (windowStart < this.expiryTime) return; // too old to keep, as Kafka Streams' window store
    const end = windowStart + this.windowSizeMs;
    this.update(this.segmentOf(windowStart), key, (items) => {
      if (this.retainDuplicates) {
        if (value !== null) items.push({ start: windowStart, end, value });
        return;
      }
      const at = items.findIndex((i) => i.start === windowStart);
      if (value === null) {
        if (at >= 0) items.splice(at, 1);
      } else if (at >= 0) items[at] = { start: windowStart, end, value };
      else items.push({ start: windowStart, end, value });
    });
  }

  /** The key's bytes, as the store keeps them (a join's outer-record buffer keys by them too). */
  serializeKey(key: K): Buffer {
    return this.keyBytes(key);
  }

  /**
   * Reads and replaces one window in a single pass (the windowed aggregations' hot path): `next`
   * gets the previous value and `arg`, so a caller can pass one function for every record. The
   * result (previous value, new value, the entry's id string, unique per window) is one object
   * reused by every call: read it before calling again.
   */
  updateWindow<A>(key: K, windowStart: number, next: (old: V | undefined, arg: A) => V, arg: A): WindowUpdate<V> {
    const entry = this.entryKeys.of(key, this.segmentOf(windowStart));
    const items = this.itemsToChange(entry.bytes, entry.id);
    let at = -1;
    for (let i = 0; i < items.length; i++) {
      if (items[i]!.start === windowStart) {
        at = i;
        break;
      }
    }
    const result = this.lastUpdate;
    result.old = at >= 0 ? items[at]!.value : undefined;
    result.value = next(result.old, arg);
    result.id = entry.id;
    // The items are this call's to change (staged, or decoded or reused for it alone).
    if (at >= 0) items[at]!.value = result.value;
    else items.push({ start: windowStart, end: windowStart + this.windowSizeMs, value: result.value });
    this.putItems(entry.bytes, entry.id, items);
    return result;
  }

  fetch(key: K, windowStart: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[];
  fetch(key: K, from: number, to?: number): V | undefined | KeyValue<number, V>[] {
    const keyBytes = this.keyBytes(key);
    if (to === undefined) {
      if (from < this.expiryTime) return undefined;
      return this.bucket(this.segmentOf(from), keyBytes).find((i) => i.start === from)?.value;
    }
    const items = this.itemsIn(keyBytes, this.segmentOf(from), this.segmentOf(to));
    return items.filter((i) => i.start >= from && i.start <= to).map((i) => ({ key: i.start, value: i.value }));
  }

  async fetchAll(timeFrom: number, timeTo: number): Promise<KeyValue<Windowed<K>, V>[]> {
    const all = await this.scan(this.segmentOf(timeFrom), this.segmentOf(timeTo));
    return all.filter((e) => e.key.window.start >= timeFrom && e.key.window.start <= timeTo).map((e) => ({ key: e.key, value: e.value.value }));
  }

  async all(): Promise<KeyValue<Windowed<K>, V>[]> {
    return (await this.scan(0, this.lastSegment)).map((e) => ({ key: e.key, value: e.value.value }));
  }
}
