import { EmbeddedLog } from '../../log/embedded-log.js';
import { EmbeddedTransaction } from '../../log/embedded-transaction.js';
import { produceBatches, type EncodedBatches } from '../../log/encoded-batches.js';
import type { FetchedBatches } from '../../log/fetched-batches.js';
import type { FetchRequest, GroupMember, LogTransaction, PartitionedLog, TopicConfig, TopicPartition, TopicPartitionOffset } from '../../log/partitioned-log.js';
import { packRecords, unpackRecords, type PackedRecords } from './record-packing.js';
import { Transfer, type RpcChannel } from './rpc-channel.js';

/** A fetch answer: raw batches (EmbeddedLog: decoded by the stream thread) or packed records. */
export type RemoteFetchResult = { batches: FetchedBatches } | { packed: PackedRecords };

/** Which optional PartitionedLog methods the served log has, and whether it takes encoded batches (EmbeddedLog). */
export type LogCapabilities = { lastStableOffset: boolean; releaseTransactionalId: boolean; encodedProduce: boolean; fencesByGroupMembership: boolean };

export function capabilitiesOf(log: PartitionedLog): LogCapabilities {
  return { lastStableOffset: log.lastStableOffset !== undefined, releaseTransactionalId: log.releaseTransactionalId !== undefined, encodedProduce: log instanceof EmbeddedLog, fencesByGroupMembership: log.fencesByGroupMembership === true };
}

/** The first offsets of appended batches, moved back to the caller (null: sent the other way again). */
async function bases(appended: Promise<Float64Array | null>): Promise<Transfer<Float64Array | null>> {
  const offsets = await appended;
  return new Transfer(offsets, offsets === null ? [] : [offsets.buffer as ArrayBuffer]);
}

/** Bytes that own their whole ArrayBuffer can move; a slice of a shared one must be copied first. */
function movable(bytes: Buffer): Buffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(new Uint8Array(bytes));
}

/**
 * Serves the main thread's log to one stream thread (see remote-log.ts for the other end).
 * EmbeddedLog fetches go out as raw batches and produce calls come in packed, so the thread that
 * owns the log only reads and writes files; decoding and encoding records happen in the workers.
 */
export class LogServer {
  private readonly transactions = new Map<number, { id: string; txn: LogTransaction }>();
  private readonly members = new Map<number, GroupMember>();
  private nextHandle = 0;

  constructor(
    private readonly channel: RpcChannel,
    private readonly log: PartitionedLog,
  ) {
    const c = channel;
    c.handle('createTopic', (name: string, config?: TopicConfig) => log.createTopic(name, config));
    c.handle('deleteTopic', (name: string) => log.deleteTopic(name));
    c.handle('listTopics', () => log.listTopics());
    c.handle('describeTopic', (name: string) => log.describeTopic(name));
    c.handle('produce', (packed: PackedRecords) => this.produce(log, packed));
    c.handle('produceEncoded', (encoded: EncodedBatches) => bases(this.embedded().produceEncoded(encoded)));
    c.handle('produceBatches', (encoded: EncodedBatches) => produceBatches(this.embedded(), encoded));
    c.handle('fetch', (req: FetchRequest) => this.fetch(req));
    c.handle('commitOffsets', (groupId: string, offsets: TopicPartitionOffset[]) => log.commitOffsets(groupId, offsets));
    c.handle('committedOffsets', (groupId: string, topic: string) => log.committedOffsets(groupId, topic));
    c.handle('describeGroup', (groupId: string) => log.describeGroup(groupId));
    c.handle('groupLag', (groupId: string, topic: string) => log.groupLag(groupId, topic));
    c.handle('lastStableOffset', (topic: string, partition: number) => log.lastStableOffset!(topic, partition));
    c.handle('releaseTransactionalId', async (id: string) => {
      for (const [handle, t] of this.transactions) if (t.id === id) this.transactions.delete(handle);
      await log.releaseTransactionalId!(id);
    });
    c.handle('transaction', async (id: string) => {
      const handle = this.nextHandle++;
      this.transactions.set(handle, { id, txn: await log.transaction(id) });
      return handle;
    });
    c.handle('txn.produce', (handle: number, packed: PackedRecords) => this.produce(this.txn(handle), packed));
    c.handle('txn.produceEncoded', (handle: number, encoded: EncodedBatches) => bases(this.embeddedTxn(handle).produceEncoded(encoded)));
    c.handle('txn.produceBatches', (handle: number, encoded: EncodedBatches) => produceBatches(this.embeddedTxn(handle), encoded));
    c.handle('txn.sendOffsets', (handle: number, groupId: string, offsets: TopicPartitionOffset[], memberId?: string) => this.txn(handle).sendOffsets(groupId, offsets, memberId));
    // A transaction's handle goes once it has committed or been aborted: a stream thread begins one
    // per commit, and kept handles held every transaction it ever ran. (A failed commit keeps it
    // for the abort that follows.)
    c.handle('txn.commit', async (handle: number) => {
      await this.txn(handle).commit();
      this.transactions.delete(handle);
    });
    c.handle('txn.abort', async (handle: number) => {
      try {
        await this.txn(handle).abort();
      } finally {
        this.transactions.delete(handle);
      }
    });
    c.handle('joinGroup', (joinId: number, groupId: string, topics: string[]) => this.joinGroup(joinId, groupId, topics));
    c.handle('leaveGroup', async (joinId: number) => {
      const member = this.members.get(joinId);
      this.members.delete(joinId);
      await member?.leave();
    });
  }

  private embedded(): EmbeddedLog {
    if (!(this.log instanceof EmbeddedLog)) throw new Error('Encoded batches need an EmbeddedLog');
    return this.log;
  }

  private embeddedTxn(handle: number): EmbeddedTransaction {
    const txn = this.txn(handle);
    if (!(txn instanceof EmbeddedTransaction)) throw new Error('Encoded batches need an EmbeddedLog transaction');
    return txn;
  }

  /** Transactions whose handles are held: begun, not yet committed or aborted, their id not released. */
  get heldTransactions(): number {
    return this.transactions.size;
  }

  private txn(handle: number): LogTransaction {
    const t = this.transactions.get(handle);
    if (t === undefined) throw new Error(`Unknown transaction handle ${handle} (ended or released)`);
    return t.txn;
  }

  /** Produces packed records; the metadata goes back as (partition, offset) pairs. */
  private async produce(target: Pick<PartitionedLog, 'produce'>, packed: PackedRecords): Promise<Transfer<Float64Array>> {
    const metadata = await target.produce(unpackRecords(packed));
    const pairs = new Float64Array(metadata.length * 2);
    for (let i = 0; i < metadata.length; i++) {
      pairs[2 * i] = metadata[i]!.partition;
      pairs[2 * i + 1] = metadata[i]!.offset;
    }
    return new Transfer(pairs, [pairs.buffer]);
  }

  private async fetch(req: FetchRequest): Promise<Transfer<RemoteFetchResult>> {
    if (this.log instanceof EmbeddedLog) {
      const batches = await this.log.fetchBatches(req);
      for (const chunk of batches.chunks) chunk.buf = movable(chunk.buf);
      return new Transfer({ batches }, batches.chunks.map((c) => c.buf.buffer as ArrayBuffer));
    }
    const packed = packRecords(await this.log.fetch(req));
    return new Transfer({ packed }, [packed.bytes.buffer as ArrayBuffer]);
  }

  private async joinGroup(joinId: number, groupId: string, topics: string[]): Promise<{ memberId: string; assignment: TopicPartition[] }> {
    const member = await this.log.joinGroup(groupId, {
      topics,
      onPartitionsRevoked: (partitions) => this.channel.call('rebalance', [joinId, 'revoked', partitions]),
      onPartitionsAssigned: (partitions) => this.channel.call('rebalance', [joinId, 'assigned', partitions]),
    });
    this.members.set(joinId, member);
    return { memberId: member.memberId, assignment: member.assignment() };
  }

  /**
   * The stream thread is gone: abort its open transactions (a thread's transactional id is its
   * own, so no later owner would fence them) and leave its groups, so the other members take
   * over its partitions.
   */
  async dispose(): Promise<void> {
    const members = [...this.members.values()];
    const transactions = [...this.transactions.values()];
    this.members.clear();
    this.transactions.clear();
    for (const t of transactions) await t.txn.abort().catch(() => undefined);
    for (const m of members) await m.leave().catch(() => undefined);
  }
}
