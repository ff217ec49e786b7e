import type { BackingOp, BytesBacking } from './bytes-backing.js';

/**
 * Committed bytes in a Map. Latin-1 strings of the key bytes compare like the bytes, so a sort of
 * the map's keys is byte order. Nothing survives a restart: the store restores from its changelog.
 */
export class MemoryBacking implements BytesBacking {
  private readonly map = new Map<string, Buffer>();
  checkpoint: number | undefined = undefined;

  get(key: Buffer): Buffer | undefined {
    return this.map.get(key.toString('latin1'));
  }

  /** Synchronous scan, for processors that rebuild an in-memory index at init (suppress). */
  entriesSync(gte?: Buffer, lt?: Buffer): [Buffer, Buffer][] {
    const from = gte?.toString('latin1');
    const to = lt?.toString('latin1');
    const keys = [...this.map.keys()].filter((k) => (from === undefined || k >= from) && (to === undefined || k < to)).sort();
    return keys.map((k) => [Buffer.from(k, 'latin1'), this.map.get(k)!]);
  }

  async *entries(gte?: Buffer, lt?: Buffer): AsyncIterable<readonly [Buffer, Buffer]> {
    yield* this.entriesSync(gte, lt);
  }

  async write(ops: readonly BackingOp[], checkpoint: number | undefined): Promise<void> {
    for (const op of ops) {
      if (op.value === null) this.map.delete(op.key.toString('latin1'));
      else this.map.set(op.key.toString('latin1'), op.value);
    }
    if (checkpoint !== undefined) this.checkpoint = checkpoint;
  }

  async deleteRange(gte: Buffer, lt: Buffer): Promise<void> {
    const from = gte.toString('latin1');
    const to = lt.toString('latin1');
    for (const k of [...this.map.keys()]) if (k >= from && k < to) this.map.delete(k);
  }

  async clear(): Promise<void> {
    this.map.clear();
    this.checkpoint = undefined;
  }

  async approximateCount(): Promise<number> {
    return this.map.size;
  }

  async close(): Promise<void> {}
}
