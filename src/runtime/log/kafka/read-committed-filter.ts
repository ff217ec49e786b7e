/** A record as kafkajs' broker fetch decodes it (offsets and ids are decimal strings). */
export type RawMessage = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
};

export type AbortedTransaction = { producerId: string; firstOffset: string };

/** A control record's key: version (i16) then type (i16); type 0 is ABORT, 1 is COMMIT. */
function isAbortMarker(message: RawMessage): boolean {
  return message.key !== null && message.key.length >= 4 && message.key.readInt16BE(2) === 0;
}

/**
 * The records a read_committed consumer may see, as Kafka's Java consumer decides: a producer's
 * records are hidden from the first offset of each of its aborted transactions (the list the
 * broker returns, in any order) up to that transaction's ABORT marker; control records are never
 * shown; records below the fetch offset (a batch may start before it) are dropped. With
 * `readCommitted` false only the last two rules apply.
 *
 * (kafkajs' own filter assumes the broker's list is sorted and one transaction starts per
 * record, and shows aborted records when two aborted transactions interleave.)
 */
export function visibleMessages(messages: RawMessage[], aborted: AbortedTransaction[] | undefined, fetchOffset: number, readCommitted: boolean): RawMessage[] {
  const pending = readCommitted ? [...(aborted ?? [])].sort((a, b) => Number(a.firstOffset) - Number(b.firstOffset)) : [];
  const abortedProducers = new Set<string>();
  const out: RawMessage[] = [];
  for (const m of messages) {
    const offset = Number(m.offset);
    while (pending.length > 0 && Number(pending[0]!.firstOffset) <= offset) abortedProducers.add(pending.shift()!.producerId);
    const producer = m.batchContext.producerId;
    if (m.isControlRecord) {
      if (isAbortMarker(m)) abortedProducers.delete(producer);
      continue;
    }
    if (readCommitted && m.batchContext.inTransaction && abortedProducers.has(producer)) continue;
    if (offset >= fetchOffset) out.push(m);
  }
  return out;
}
