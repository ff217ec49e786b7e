/** One write of a commit (and its changelog record): a null value deletes the key. */
export type BackingOp = { readonly key: Buffer; readonly value: Buffer | null; readonly timestamp?: number };

/**
 * Where a store's committed bytes live: LevelDB (one prefix of the task's database) or memory.
 * Reads of single keys are synchronous (processors are); scans are async (queries, restore).
 */
export interface BytesBacking {
  get(key: Buffer): Buffer | undefined;
  /** Entries with gte <= key < lt, in byte order of the keys. */
  entries(gte?: Buffer, lt?: Buffer): AsyncIterable<readonly [Buffer, Buffer]>;
  /** Applies the writes and records `checkpoint` (the changelog offset they reflect) atomically. */
  write(ops: readonly BackingOp[], checkpoint: number | undefined): Promise<void>;
  /** The changelog offset the committed contents reflect; undefined when unknown (restore all). */
  readonly checkpoint: number | undefined;
  deleteRange(gte: Buffer, lt: Buffer): Promise<void>;
  /** Deletes every entry and the checkpoint. */
  clear(): Promise<void>;
  approximateCount(): Promise<number>;
  close(): Promise<void>;
}

/** Smallest key greater than every key that starts with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}
