import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed.js';
import type { KeyValue } from '../state-store.js';
import type { BackingOp } from './bytes-backing.js';
import { EntryKeyMemo } from './entry-key-memo.js';
import type { StoreInit } from './managed-store.js';
import type { ValueCodec } from './staged-entries.js';
import { StoreBase } from './store-base.js';
import { windowItemsCodec, type WindowItem } from './window-items-codec.js';

/** Key of the store's own bookkeeping entry; shorter than any segment key, so never a data key. */
const META_KEY = Buffer.from([0xff]);
const TWO_32 = 2 ** 32;

/** Writes a segment number as the 8 big-endian bytes that start an entry key. */
function writeSegment(out: Buffer, segment: number): void {
  out.writeUInt32BE(Math.floor(segment / TWO_32), 0);
  out.writeUInt32BE(segment >>> 0, 4);
}

/**
 * Storage shared by window and session stores. LevelDB offers no synchronous scan, and
 * processors are synchronous, so windows are not one entry each: entries are buckets keyed by
 * `segment (8 bytes big-endian) | key bytes`, each holding that key's windows of one time segment.
 * A fetch over a time range is then a few point reads, and expiry deletes whole segments with one
 * range delete (segments first in the key make them contiguous).
 *
 * The store remembers the largest time it has seen (observed stream time), committed with the
 * data, so retention and lateness decisions are the same after a restart.
 */
export abstract class SegmentedStore<K, V> extends StoreBase<WindowItem<V>[]> {
  protected keySerde!: Serde<K>;
  protected valueSerde!: Serde<V>;
  private observed = -1;
  private committedObserved = -1;
  /** `observed` as of the prepared commit (the next one may move `observed` on while it completes). */
  private preparedObserved = -1;
  private liveFromSegment = 0;
  private itemCodec!: ValueCodec<WindowItem<V>[]>;
  /** Entry keys of recently written keys: a key written again is not serialized again. */
  protected readonly entryKeys = new EntryKeyMemo(
    (key, segment) => this.entryKeyOf(key as K, segment),
    (entryKey, segment) => this.resegment(entryKey, segment),
  );
  /** Where entryKeyOf serializes a key before copying it out (bytes 0-7 are left for the segment). */
  private keyScratch = Buffer.allocUnsafe(256);

  constructor(
    name: string,
    private readonly serdes: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined },
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
    caching: boolean,
  ) {
    super(name, caching);
  }

  /** Item arrays are built here; a caller gets a value out of an item, never the array. */
  protected override get ownsValues(): boolean {
    return true;
  }

  /** Largest window time the store has seen; -1 before any. */
  get observedStreamTime(): number {
    return this.observed;
  }

  protected codec(init: StoreInit): ValueCodec<WindowItem<V>[]> {
    this.keySerde = this.serdes.keySerde ?? (init.defaultKeySerde as Serde<K>);
    this.valueSerde = this.serdes.valueSerde ?? (init.defaultValueSerde as Serde<V>);
    return (this.itemCodec = windowItemsCodec(this.valueSerde, this.serdeTopic));
  }

  override restored(): void {
    super.restored();
    const meta = this.context.backing.get(META_KEY);
    this.observed = this.committedObserved = this.preparedObserved = meta === undefined ? -1 : meta.readDoubleBE(0);
    this.liveFromSegment = 0;
  }

  protected segmentOf(time: number): number {
    return Math.max(0, Math.floor(time / this.segmentIntervalMs));
  }

  protected keyBytes(key: K): Buffer {
    return this.keySerde.serialize(this.serdeTopic, key);
  }

  protected entryKey(segment: number, keyBytes: Buffer): Buffer {
    const out = Buffer.allocUnsafe(8 + keyBytes.length);
    writeSegment(out, segment);
    keyBytes.copy(out, 8);
    return out;
  }

  /**
   * entryKey(segment, keyBytes(key)), with the key serialized in place where its serde can
   * (serializeInto): one Buffer per new entry key instead of two. With 1M keys, each seen once,
   * every record makes a new entry key.
   */
  private entryKeyOf(key: K, segment: number): Buffer {
    const serde = this.keySerde;
    if (serde.serializeInto === undefined) return this.entryKey(segment, this.keyBytes(key));
    let n = serde.serializeInto(this.serdeTopic, key, this.keyScratch, 8);
    while (n < 0) {
      this.keyScratch = Buffer.allocUnsafe(2 * this.keyScratch.length);
      n = serde.serializeInto(this.serdeTopic, key, this.keyScratch, 8);
    }
    const out = Buffer.allocUnsafe(8 + n);
    writeSegment(out, segment);
    this.keyScratch.copy(out, 8, 8, 8 + n);
    return out;
  }

  /** A copy of `entryKey` in another segment. */
  private resegment(entryKey: Buffer, segment: number): Buffer {
    return this.entryKey(segment, entryKey.subarray(8));
  }

  /** Times before this are past retention: not returned, not stored. */
  protected get expiryTime(): number {
    return this.observed - this.retentionMs + 1;
  }

  /** Moves the store's stream time (it is committed with the data and drives retention). */
  observe(time: number): void {
    if (time > this.observed) this.observed = time;
  }

  /** The items of one bucket, as committed or staged; do not change the array (use update). */
  protected bucket(segment: number, keyBytes: Buffer): readonly WindowItem<V>[] {
    return this.entries.get(this.entryKey(segment, keyBytes)) ?? [];
  }

  /**
   * Changes one bucket: `change` gets an array it may modify (the staged one, or a copy of the
   * committed one, which stays as it was if the commit fails). Returns the entry's id string.
   */
  protected update(segment: number, key: K, change: (items: WindowItem<V>[]) => void): string {
    const entry = this.entryKeys.of(key, segment);
    const items = this.itemsToChange(entry.bytes, entry.id);
    change(items);
    this.putItems(entry.bytes, entry.id, items);
    return entry.id;
  }

  /**
   * A bucket's items to change (update without a callback): the staged array, or the committed
   * one as read (committed arrays are decoded anew on every read, so changing it changes nothing
   * committed, and the commit that fails leaves the committed bytes as they were).
   */
  protected itemsToChange(key: Buffer, ck: string): WindowItem<V>[] {
    const staged = this.entries.stagedAt(ck);
    if (staged !== undefined) return staged.value ?? [];
    return this.entries.committed(key, ck) ?? [];
  }

  /** Stages a bucket's changed items (none: the entry is deleted). */
  protected putItems(key: Buffer, ck: string, items: WindowItem<V>[]): void {
    this.entries.put(key, items.length === 0 ? undefined : items, this.context.recordTimestamp(), ck);
  }

  /** Items of `keyBytes` in segments from..to (inclusive), live ones only, oldest start first. */
  protected itemsIn(keyBytes: Buffer, fromSegment: number, toSegment: number): WindowItem<V>[] {
    const out: WindowItem<V>[] = [];
    const expiry = this.expiryTime;
    for (let s = Math.max(fromSegment, this.segmentOf(Math.max(0, expiry))); s <= toSegment; s++) {
      for (const item of this.bucket(s, keyBytes)) if (this.isLive(item, expiry)) out.push(item);
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** Whether an item is within retention: window stores go by window start, session stores by session end. */
  protected abstract isLive(item: WindowItem<V>, expiry: number): boolean;

  /** Every live item across keys with a segment in from..to, as windowed keys. */
  protected async scan(fromSegment: number, toSegment: number): Promise<KeyValue<Windowed<K>, WindowItem<V>>[]> {
    const merged = new Map<string, WindowItem<V>[] | undefined>();
    const gte = this.entryKey(fromSegment, Buffer.alloc(0));
    const lt = this.entryKey(toSegment + 1, Buffer.alloc(0));
    const codec = this.itemCodec;
    const overlay = this.entries.overlay((key) => Buffer.compare(key, gte) >= 0 && Buffer.compare(key, lt) < 0); // before the scan, as in StagedKeyValueStore.range
    for await (const [key, value] of this.context.backing.entries(gte, lt)) merged.set(key.toString('latin1'), codec.decode(value));
    for (const s of overlay) merged.set(s.key.toString('latin1'), s.value);
    const out: KeyValue<Windowed<K>, WindowItem<V>>[] = [];
    const expiry = this.expiryTime;
    for (const ck of [...merged.keys()].sort()) {
      const key = this.keySerde.deserialize(this.serdeTopic, Buffer.from(ck, 'latin1').subarray(8));
      for (const item of merged.get(ck) ?? []) {
        if (this.isLive(item, expiry)) out.push({ key: { key, window: { start: item.start, end: item.end } }, value: item });
      }
    }
    return out.sort((a, b) => a.value.start - b.value.start || a.value.end - b.value.end);
  }

  protected get lastSegment(): number {
    return this.segmentOf(Math.max(0, this.observed));
  }

  override prepareCommit(): readonly BackingOp[] {
    this.preparedObserved = this.observed;
    if (this.observed === this.committedObserved) return this.entries.prepareCommit();
    const meta = Buffer.allocUnsafe(8);
    meta.writeDoubleBE(this.observed, 0);
    return this.entries.prepareCommit([{ key: META_KEY, value: meta, timestamp: Math.max(0, this.observed) }]);
  }

  override async commit(checkpoint: number | undefined): Promise<void> {
    await super.commit(checkpoint);
    this.committedObserved = this.preparedObserved;
    // Drop whole segments that fell out of retention as of the commit (the changelog drops them by its own retention).
    const live = this.segmentOf(Math.max(0, this.preparedObserved - this.retentionMs + 1)) - 1;
    if (live > this.liveFromSegment) {
      const bound = this.entryKey(live, Buffer.alloc(0));
      await this.context.backing.deleteRange(this.entryKey(0, Buffer.alloc(0)), bound);
      this.entries.forgetBelow(bound);
      this.liveFromSegment = live;
    }
  }

  override discard(): void {
    super.discard();
    this.observed = this.committedObserved;
  }
}
