import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStore } from '../key-value-store.js';
import type { KeyValue } from '../state-store.js';
import { StateStoreError } from '../state-store-error.js';
import type { StoreInit } from './managed-store.js';
import { MemoryBacking } from './memory-backing.js';
import type { Cached, ValueCodec } from './staged-entries.js';

/** String keys whose committed entries a store keeps at most (see get). */
const MEMO_ENTRIES = 200_000;
import { serdeCodec, StoreBase } from './store-base.js';

/**
 * The built-in key-value store (LevelDB or memory backing).
 */
export class StagedKeyValueStore<K, V> extends StoreBase<V> implements KeyValueStore<K, V> {
  private readonly memo = new Map<string, Cached<V>>();
  private memoVersion = -1;
  private keySerde!: Serde<K>;
  private valueSerde!: Serde<V>;
  constructor(
    name: string,
    private readonly serdes: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined },
    caching: boolean,
  ) {
    super(name, caching);
  }

  protected codec(init: StoreInit): ValueCodec<V> {
    this.keySerde = this.serdes.keySerde ?? (init.defaultKeySerde as Serde<K>);
    this.valueSerde = this.serdes.valueSerde ?? (init.defaultValueSerde as Serde<V>);
    return serdeCodec(this.valueSerde, this.serdeTopic);
  }

  private keyBytes(key: K): Buffer {
    return this.keySerde.serialize(this.serdeTopic, key);
  }

  get(key: K): V | undefined {
    const entries = this.entries;
    if (typeof key !== 'string' || entries.stagedCount > 0) return entries.get(this.keyBytes(key));
    // Read-mostly stores (a joined table): committed entries by the string key itself, which
    // skips serializing the key on every read. Dropped whenever committed values change.
    if (this.memoVersion !== entries.version || this.memo.size >= MEMO_ENTRIES) {
      this.memo.clear();
      this.memoVersion = entries.version;
    }
    let cached = this.memo.get(key);
    if (cached === undefined) this.memo.set(key, (cached = entries.committedEntry(this.keyBytes(key))));
    return entries.valueOf(cached);
  }

  put(key: K, value: V | null | undefined): void {
    this.entries.put(this.keyBytes(key), value ?? undefined, this.context.recordTimestamp());
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const bytes = this.keyBytes(key);
    const current = this.entries.get(bytes);
    if (current === undefined) this.entries.put(bytes, value, this.context.recordTimestamp());
    return current;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): V | undefined {
    const bytes = this.keyBytes(key);
    const current = this.entries.get(bytes);
    this.entries.put(bytes, undefined, this.context.recordTimestamp());
    return current;
  }

  async range(from: K | undefined, to: K | undefined): Promise<KeyValue<K, V>[]> {
    const gte = from === undefined ? undefined : this.keyBytes(from);
    const lte = to === undefined ? undefined : this.keyBytes(to);
    // Staged and held-back writes are copied before the scan starts: a commit finishing meanwhile
    // moves them to the backing, and the copy still covers them if the scan's snapshot is older.
    const overlay = this.entries.overlay((key) => (gte === undefined || Buffer.compare(key, gte) >= 0) && (lte === undefined || Buffer.compare(key, lte) <= 0));
    const merged = new Map<string, V | undefined>();
    for await (const [key, value] of this.context.backing.entries(gte)) {
      if (lte !== undefined && Buffer.compare(key, lte) > 0) break;
      merged.set(key.toString('latin1'), this.valueSerde.deserialize(this.serdeTopic, value));
    }
    for (const s of overlay) merged.set(s.key.toString('latin1'), s.value);
    const out: KeyValue<K, V>[] = [];
    for (const ck of [...merged.keys()].sort()) {
      const value = merged.get(ck);
      if (value !== undefined) out.push({ key: this.keySerde.deserialize(this.serdeTopic, Buffer.from(ck, 'latin1')), value });
    }
    return out;
  }

  all(): Promise<KeyValue<K, V>[]> {
    return this.range(undefined, undefined);
  }

  /** Every entry, synchronously: only for memory-backed stores (a processor rebuilding an index at init). */
  entriesSync(): KeyValue<Buffer, V>[] {
    const backing = this.context.backing;
    if (!(backing instanceof MemoryBacking)) throw new StateStoreError(`Store "${this.name}" is not in memory; use all()`);
    const merged = new Map<string, V | undefined>();
    for (const [key, value] of backing.entriesSync()) merged.set(key.toString('latin1'), this.valueSerde.deserialize(this.serdeTopic, value));
    for (const s of this.entries.overlay(() => true)) merged.set(s.key.toString('latin1'), s.value);
    return [...merged].flatMap(([ck, value]) => (value === undefined ? [] : [{ key: Buffer.from(ck, 'latin1'), value }]));
  }

  async approximateNumEntries(): Promise<number> {
    return this.entries.countWith(await this.context.backing.approximateCount());
  }
}
