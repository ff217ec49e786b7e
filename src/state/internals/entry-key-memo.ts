/** A key's entry in one segment: its bytes (segment | key bytes) and their latin1 string. */
export type EntryKey = { segment: number; bytes: Buffer; id: string };

const NO_BYTES = Buffer.alloc(0);
const blank = (): EntryKey => ({ segment: 0, bytes: NO_BYTES, id: '' });

/** Keys remembered per store at most; past it the memo starts over. */
const MAX_KEYS = 16_384;
/** Lookups per sample of the hit rate. */
const SAMPLE = 4_096;
/** Lookups the memo sits out after a sample found it useless. */
const PAUSE = 1_048_576;

/**
 * Entry keys of recently updated string and number keys. A windowed aggregation updates a key
 * many times per window when keys repeat (10k keys: about once per 10k records each); building
 * the key's bytes, its entry key and their string anew for every record left ~220 bytes of
 * garbage per record, and the two-thread 10k-key count ran ~15% faster without it (side by
 * side). Where keys rarely repeat (1M keys, each seen once) remembering them only costs, so the
 * memo checks its hit rate every few thousand lookups and pauses when fewer than a quarter hit.
 * At most MAX_KEYS keys are held (their key string and a small Buffer each). The bytes are the key serde's output, taken
 * as a pure function of the key (as the store's changelog already assumes); -0 is left out, as a
 * Map takes it for 0 while a serde may not.
 */
export class EntryKeyMemo {
  private readonly memo = new Map<string | number, EntryKey>();
  private lookups = 0;
  private hits = 0;
  private paused = 0;
  /** The answer for a key not remembered (paused, or a key of another type). */
  private readonly scratch = blank();

  /**
   * `entryKey` builds a key's entry key in a segment; `resegment` copies an entry key with
   * another segment (the key's bytes are the same in every segment).
   */
  constructor(
    private readonly entryKey: (key: unknown, segment: number) => Buffer,
    private readonly resegment: (entryKey: Buffer, segment: number) => Buffer,
  ) {}

  /** `key`'s entry key in `segment`. Read it before the next call: the object is reused for the key. */
  of(key: unknown, segment: number): EntryKey {
    if ((typeof key !== 'string' && typeof key !== 'number') || Object.is(key, -0) || this.paused > 0) {
      if (this.paused > 0) this.paused--;
      return this.fill(this.scratch, this.entryKey(key, segment), segment);
    }
    const known = this.memo.get(key);
    if (++this.lookups === SAMPLE) this.sample();
    if (known !== undefined) {
      this.hits++;
      if (known.segment !== segment) {
        // Another window of the key (hopping windows, or time moved on): its bytes still serve.
        this.fill(known, this.resegment(known.bytes, segment), segment);
      }
      return known;
    }
    if (this.memo.size >= MAX_KEYS) this.memo.clear();
    const made = this.fill(blank(), this.entryKey(key, segment), segment);
    this.memo.set(key, made);
    return made;
  }

  private fill(memo: EntryKey, bytes: Buffer, segment: number): EntryKey {
    memo.segment = segment;
    memo.bytes = bytes;
    memo.id = bytes.toString('latin1');
    return memo;
  }

  private sample(): void {
    if (4 * this.hits < this.lookups) {
      this.paused = PAUSE;
      this.memo.clear();
    }
    this.lookups = 0;
    this.hits = 0;
  }
}
