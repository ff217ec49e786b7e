import fs from 'node:fs';
import path from 'node:path';
import { FILE_HEADER_BYTES, Magic, fileHeader, fsyncAsync, readFileHeader, replaceFileAtomicallySync, writeFully } from './file-format.js';

const ENTRY_BYTES = 8;

/**
 * The transactions aborted in one partition, as a file of f64 transaction sequence numbers.
 * Aborts are rare, so each is appended and fsynced on its own; read_committed fetches skip the
 * batches of every sequence number listed here.
 */
export class AbortedTransactions {
  private readonly seqs = new Set<number>();
  private readonly fd: number;
  private count = 0;

  /** Loads the file, dropping sequence numbers that no batch in `live` carries any more. */
  constructor(dir: string, live: ReadonlySet<number>) {
    const file = path.join(dir, 'aborted.txns');
    const existing = fs.existsSync(file) ? fs.readFileSync(file) : null;
    let stale = false;
    if (existing !== null && readFileHeader(existing, Magic.aborted) !== null) {
      for (let p = FILE_HEADER_BYTES; p + ENTRY_BYTES <= existing.length; p += ENTRY_BYTES) {
        const seq = existing.readDoubleLE(p);
        if (live.has(seq)) this.seqs.add(seq);
        else stale = true;
      }
    }
    if (existing === null || stale || existing.length !== FILE_HEADER_BYTES + this.seqs.size * ENTRY_BYTES) {
      // Replaced atomically: a torn rewrite must never lose the abort of a batch still on disk.
      const buf = Buffer.allocUnsafe(FILE_HEADER_BYTES + this.seqs.size * ENTRY_BYTES);
      fileHeader(Magic.aborted, 0).copy(buf, 0);
      [...this.seqs].forEach((s, i) => buf.writeDoubleLE(s, FILE_HEADER_BYTES + i * ENTRY_BYTES));
      replaceFileAtomicallySync(file, buf);
    }
    this.fd = fs.openSync(file, 'r+');
    this.count = this.seqs.size;
  }

  has(txnSeq: number): boolean {
    return this.seqs.has(txnSeq);
  }

  /** Records an abort durably. */
  async add(txnSeq: number): Promise<void> {
    this.addNow(txnSeq);
    await fsyncAsync(this.fd);
  }

  /** Records an abort in the file without waiting for fsync (recovery fsyncs once at the end). */
  addNow(txnSeq: number): void {
    if (this.seqs.has(txnSeq)) return;
    const buf = Buffer.allocUnsafe(ENTRY_BYTES);
    buf.writeDoubleLE(txnSeq, 0);
    writeFully(this.fd, buf, FILE_HEADER_BYTES + this.count * ENTRY_BYTES);
    this.seqs.add(txnSeq);
    this.count++;
  }

  syncNow(): void {
    fs.fsyncSync(this.fd);
  }

  sync(): Promise<void> {
    return fsyncAsync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
