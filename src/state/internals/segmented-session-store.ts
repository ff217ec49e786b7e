import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed.js';
import type { SessionStore } from '../session-store.js';
import type { KeyValue } from '../state-store.js';
import { SegmentedStore } from './segmented-store.js';
import type { WindowItem } from './window-items-codec.js';

/**
 * The built-in session store. Buckets are segments of session end time; a record can only join
 * sessions that end within inactivity gap + grace of stream time, so a lookup reads few buckets.
 */
export class SegmentedSessionStore<K, V> extends SegmentedStore<K, V> implements SessionStore<K, V> {
  constructor(name: string, serdes: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined }, retentionMs: number, caching: boolean) {
    super(name, serdes, retentionMs, Math.max(1, retentionMs), caching);
  }

  protected isLive(item: WindowItem<V>, expiry: number): boolean {
    return item.end >= expiry;
  }

  put(session: Windowed<K>, value: V): void {
    const { start, end } = session.window;
    this.observe(end);
    if (end < this.expiryTime) return;
    this.update(this.segmentOf(end), session.key, (items) => {
      const at = items.findIndex((i) => i.start === start && i.end === end);
      if (at >= 0) items[at] = { start, end, value };
      else items.push({ start, end, value });
    });
  }

  remove(session: Windowed<K>): void {
    const { start, end } = session.window;
    this.update(this.segmentOf(end), session.key, (items) => {
      const at = items.findIndex((i) => i.start === start && i.end === end);
      if (at >= 0) items.splice(at, 1);
    });
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[] {
    const items = this.itemsIn(this.keyBytes(key), this.segmentOf(earliestSessionEnd), this.lastSegment);
    return items.filter((i) => i.end >= earliestSessionEnd && i.start <= latestSessionStart).map((i) => ({ key: { key, window: { start: i.start, end: i.end } }, value: i.value }));
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    if (sessionEnd < this.expiryTime) return undefined;
    return this.bucket(this.segmentOf(sessionEnd), this.keyBytes(key)).find((i) => i.start === sessionStart && i.end === sessionEnd)?.value;
  }

  async all(): Promise<KeyValue<Windowed<K>, V>[]> {
    return (await this.scan(0, this.lastSegment)).map((e) => ({ key: e.key, value: e.value.value }));
  }
}
