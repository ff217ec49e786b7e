import type { EmbeddedTransaction } from './embedded-transaction.js';

/**
 * EmbeddedLog's transactional ids: each one's current epoch and newest transaction. Epochs come
 * from one counter for every id, so an id released and used again never hands out an epoch that
 * a transaction of its earlier owner still holds: that one stays fenced.
 */
export class TransactionalIds {
  private lastEpoch = 0;
  private readonly epochs = new Map<string, number>();
  private readonly newest = new Map<string, EmbeddedTransaction>();

  /** A new epoch for `id`; the transaction it replaces, if any, is returned for the caller to abort. */
  nextEpoch(id: string): { epoch: number; previous: EmbeddedTransaction | undefined } {
    const epoch = ++this.lastEpoch;
    this.epochs.set(id, epoch);
    return { epoch, previous: this.newest.get(id) };
  }

  started(id: string, txn: EmbeddedTransaction): void {
    this.newest.set(id, txn);
  }

  isCurrent(id: string, epoch: number): boolean {
    return this.epochs.get(id) === epoch;
  }

  /** Forgets `id` (its owner is gone), fencing its transactions; returns the newest one to abort if open. */
  release(id: string): EmbeddedTransaction | undefined {
    const txn = this.newest.get(id);
    this.epochs.delete(id);
    this.newest.delete(id);
    return txn;
  }

  /** Every id's newest transaction (to abort the open ones on close). */
  transactions(): IterableIterator<EmbeddedTransaction> {
    return this.newest.values();
  }
}
