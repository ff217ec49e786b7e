import type { TransferListItem } from 'node:worker_threads';
import type { EncodedBatches } from '../../log/encoded-batches.js';
import { LogClosedError, ProducerFencedError, TransactionStateError, UnknownTopicError } from '../../log/errors.js';
import { StickyPartitioner } from '../../log/sticky-partitioner.js';
import { decodeFetchedBatches } from '../../log/fetched-batches.js';
import type {
  FetchRequest,
  GroupDescription,
  GroupMember,
  JoinGroupOptions,
  LogRecord,
  LogTransaction,
  PartitionLag,
  PartitionedLog,
  ProducerRecord,
  RecordMetadata,
  TopicConfig,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../../log/partitioned-log.js';
import type { LogCapabilities, RemoteFetchResult } from './log-server.js';
import type { TopicShape } from '../../log/batch-builder.js';
import { encodeBatches } from './batch-encoding.js';
import { packRecords, unpackLogRecords } from './record-packing.js';
import type { RpcChannel } from './rpc-channel.js';

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** Bytes that arrived from another thread come as a plain Uint8Array: give them Buffer's methods back. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A transaction begun through a RemoteLog, and how it ended (undefined: open). */
type RemoteTransactionState = { id: string; ended: 'committed' | 'aborted' | 'released' | undefined };

/**
 * The main thread's log, seen from a stream thread (worker): every call goes over the channel
 * to a LogServer. Fetched batches are decoded and checked here, produced records packed here.
 */
export class RemoteLog implements PartitionedLog {
  private readonly joins = new Map<number, { options: JoinGroupOptions; current: Map<string, TopicPartition> }>();
  private nextJoin = 0;
  private closed = false;
  /** Per partition (and request shape), the fetch started ahead of the next request. */
  private readonly prefetched = new Map<string, { offset: number; records: Promise<LogRecord[]> }>();
  /** Topics this thread produces to, as far as it knows them (encoded produce, EmbeddedLog). */
  private readonly shapes = new Map<string, TopicShape>();
  /** Null-key partitions, chosen here when records are encoded here. */
  private readonly sticky = new StickyPartitioner();
  /**
   * Transactions not yet ended, by handle. The serving thread forgets a handle once its
   * transaction ends or its id is released; a later call is refused here, as the log would.
   */
  private readonly openTransactions = new Map<number, RemoteTransactionState>();
  readonly lastStableOffset?: (topic: string, partition: number) => Promise<number>;
  readonly releaseTransactionalId?: (transactionalId: string) => Promise<void>;
  readonly fencesByGroupMembership: boolean;
  /** Appends batches a RecordCollector built (EmbeddedLog behind): see produceBatches in encoded-batches.ts. */
  readonly produceBatches?: (encoded: EncodedBatches) => Promise<boolean>;
  /** EmbeddedLog.produceEncoded, served (the bytes move to the main thread: a null answer leaves them unreadable here). */
  readonly produceEncoded?: (encoded: EncodedBatches) => Promise<Float64Array | null>;

  constructor(
    private readonly channel: RpcChannel,
    private readonly capabilities: LogCapabilities,
  ) {
    if (capabilities.lastStableOffset) this.lastStableOffset = (topic, partition) => this.call('lastStableOffset', [topic, partition]);
    this.fencesByGroupMembership = capabilities.fencesByGroupMembership;
    if (capabilities.releaseTransactionalId) {
      this.releaseTransactionalId = (id) => {
        for (const [handle, t] of this.openTransactions) {
          if (t.id !== id) continue;
          t.ended = 'released';
          this.openTransactions.delete(handle);
        }
        return this.call('releaseTransactionalId', [id]);
      };
    }
    if (capabilities.encodedProduce) {
      this.produceBatches = (encoded) => this.call('produceBatches', [encoded], [encoded.bytes.buffer as ArrayBuffer]);
      this.produceEncoded = (encoded) => this.call('produceEncoded', [encoded], [encoded.bytes.buffer as ArrayBuffer]);
    }
    channel.handle('rebalance', (joinId: number, kind: 'revoked' | 'assigned', partitions: TopicPartition[]) => this.rebalance(joinId, kind, partitions));
  }

  createTopic(name: string, config?: TopicConfig): Promise<void> {
    return this.call('createTopic', [name, config]);
  }

  deleteTopic(name: string): Promise<void> {
    return this.call('deleteTopic', [name]);
  }

  listTopics(): Promise<string[]> {
    return this.call('listTopics', []);
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.call('describeTopic', [name]);
  }

  produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return this.produceVia('produce', [], records);
  }

  /**
   * Fetches, and when the answer was full, asks for the records after it right away: the
   * round trip to the main thread then overlaps this thread's processing (as a Kafka consumer
   * prefetches). A prefetched answer is used only by the request it was made for.
   */
  fetch(req: FetchRequest): Promise<LogRecord[]> {
    return this.fetchAhead(req, false);
  }

  /** `fetch` for stream tasks, as EmbeddedLog.fetchViews: RecordViews where the log sent raw batches. */
  fetchViews(req: FetchRequest): Promise<LogRecord[]> {
    return this.fetchAhead(req, true);
  }

  private async fetchAhead(req: FetchRequest, views: boolean): Promise<LogRecord[]> {
    const slot = `${req.topic}\u0000${req.partition}\u0000${req.isolation ?? ''}\u0000${req.maxRecords ?? ''}\u0000${views}`;
    const ahead = this.prefetched.get(slot);
    this.prefetched.delete(slot);
    let records: LogRecord[] | undefined;
    if (ahead !== undefined && ahead.offset === req.offset) {
      try {
        records = await ahead.records;
      } catch {
        // Asked again below: the error, if it persists, belongs to this request.
      }
      // Nothing was there then; there may be now.
      if (records?.length === 0) records = undefined;
    }
    records ??= await this.fetchNow(req, views);
    if (req.maxRecords !== undefined && records.length >= req.maxRecords) {
      const next = { ...req, offset: records[records.length - 1]!.offset + 1 };
      const pending = this.fetchNow(next, views);
      pending.catch(() => undefined);
      this.prefetched.set(slot, { offset: next.offset, records: pending });
    }
    return records;
  }

  private async fetchNow(req: FetchRequest, views: boolean): Promise<LogRecord[]> {
    const result = await this.call<RemoteFetchResult>('fetch', [req]);
    if ('packed' in result) return unpackLogRecords(result.packed);
    for (const chunk of result.batches.chunks) chunk.buf = asBuffer(chunk.buf);
    return decodeFetchedBatches(result.batches, views);
  }

  async transaction(transactionalId: string): Promise<LogTransaction> {
    const handle = await this.call<number>('transaction', [transactionalId]);
    const txn: RemoteTransactionState = { id: transactionalId, ended: undefined };
    this.openTransactions.set(handle, txn);
    const live = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
      if (txn.ended === 'released') return Promise.reject(new ProducerFencedError(transactionalId));
      if (txn.ended !== undefined) return Promise.reject(new TransactionStateError(transactionalId, operation, txn.ended));
      return run();
    };
    const end = (state: 'committed' | 'aborted') => {
      txn.ended ??= state;
      this.openTransactions.delete(handle);
    };
    const produceBatches = (encoded: EncodedBatches) => live('produce', () => this.call<boolean>('txn.produceBatches', [handle, encoded], [encoded.bytes.buffer as ArrayBuffer]));
    const produceEncoded = (encoded: EncodedBatches) => live('produce', () => this.call<Float64Array | null>('txn.produceEncoded', [handle, encoded], [encoded.bytes.buffer as ArrayBuffer]));
    return {
      produce: (records) => live('produce', () => this.produceVia('txn.produce', [handle], records)),
      ...(this.capabilities.encodedProduce && { produceBatches, produceEncoded }),
      sendOffsets: (groupId, offsets, memberId) => live('send offsets in', () => this.call('txn.sendOffsets', [handle, groupId, offsets, memberId])),
      // A failed commit leaves the transaction open on the serving thread, for the abort that follows.
      commit: () => live('commit', async () => {
        await this.call('txn.commit', [handle]);
        end('committed');
      }),
      abort: () => live('abort', async () => {
        try {
          await this.call('txn.abort', [handle]);
        } finally {
          end('aborted');
        }
      }),
    };
  }

  commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return this.call('commitOffsets', [groupId, offsets]);
  }

  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.call('committedOffsets', [groupId, topic]);
  }

  async joinGroup(groupId: string, options: JoinGroupOptions): Promise<GroupMember> {
    const joinId = this.nextJoin++;
    const join = { options, current: new Map<string, TopicPartition>() };
    // Registered before the call: the first assignment arrives before joinGroup answers.
    this.joins.set(joinId, join);
    let reply: { memberId: string; assignment: TopicPartition[] };
    try {
      reply = await this.call('joinGroup', [joinId, groupId, options.topics]);
    } catch (e) {
      this.joins.delete(joinId);
      throw e;
    }
    join.current = new Map(reply.assignment.map((tp) => [key(tp), tp]));
    return {
      groupId,
      memberId: reply.memberId,
      assignment: () => [...join.current.values()],
      leave: async () => {
        if (!this.joins.has(joinId)) return;
        await this.call('leaveGroup', [joinId]);
        this.joins.delete(joinId);
      },
    };
  }

  private async rebalance(joinId: number, kind: 'revoked' | 'assigned', partitions: TopicPartition[]): Promise<void> {
    const join = this.joins.get(joinId);
    if (join === undefined) return;
    if (kind === 'revoked') {
      await join.options.onPartitionsRevoked?.(partitions);
      for (const tp of partitions) join.current.delete(key(tp));
    } else {
      for (const tp of partitions) join.current.set(key(tp), tp);
      await join.options.onPartitionsAssigned?.(partitions);
    }
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    return this.call('describeGroup', [groupId]);
  }

  groupLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    return this.call('groupLag', [groupId, topic]);
  }

  /** Closes this view (later calls fail with LogClosedError); the main thread's log stays open. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * Produces records encoded here as the log's own batches (EmbeddedLog), so that the thread
   * that owns the log only stamps and writes them. Undefined when the records must go packed.
   */
  private async produceRecordsEncoded(method: string, head: unknown[], records: ProducerRecord[]): Promise<RecordMetadata[] | undefined> {
    await this.learnShapes(records);
    const call = encodeBatches(records, (topic) => this.shapes.get(topic), this.sticky);
    if (call === undefined) return undefined;
    const { encoded } = call;
    const bases = await this.call<Float64Array | null>(`${method}Encoded`, [...head, encoded], [encoded.bytes.buffer as ArrayBuffer]);
    if (bases === null) {
      // A topic changed (recreated): learn it again next time, send these unencoded.
      for (const topic of encoded.topics) this.shapes.delete(topic);
      return undefined;
    }
    const metadata = new Array<RecordMetadata>(records.length);
    for (let b = 0; b < bases.length; b++) {
      const topic = encoded.topics[encoded.layout[b * 4]!]!;
      const partition = encoded.layout[b * 4 + 1]!;
      const indices = call.indices[b]!;
      for (let j = 0; j < indices.length; j++) metadata[indices[j]!] = { topic, partition, offset: bases[b]! + j };
    }
    return metadata;
  }

  /** Partition count and cleanup policy of each topic the records go to, asked once per topic. */
  private async learnShapes(records: ProducerRecord[]): Promise<void> {
    let last: unknown;
    for (const r of records) {
      if (r.topic === last || typeof r.topic !== 'string' || this.shapes.has(r.topic)) continue;
      last = r.topic;
      try {
        const d = await this.describeTopic(r.topic);
        this.shapes.set(r.topic, { partitions: d.partitions.length, compacted: d.config.cleanupPolicy === 'compact' });
      } catch (e) {
        // The log reports it, with the records, the usual way.
        if (!(e instanceof UnknownTopicError)) throw e;
      }
    }
  }

  private call<R>(method: string, args: unknown[], transfer?: readonly TransferListItem[]): Promise<R> {
    if (this.closed) return Promise.reject(new LogClosedError(method));
    return this.channel.call<R>(method, args, transfer);
  }

  private async produceVia(method: string, head: unknown[], records: ProducerRecord[]): Promise<RecordMetadata[]> {
    if (this.closed) throw new LogClosedError(method);
    if (this.capabilities.encodedProduce) {
      const appended = await this.produceRecordsEncoded(method, head, records);
      if (appended !== undefined) return appended;
    }
    const packed = packRecords(records);
    const pairs = await this.call<Float64Array>(method, [...head, packed], [packed.bytes.buffer as ArrayBuffer]);
    const metadata = new Array<RecordMetadata>(records.length);
    for (let i = 0; i < records.length; i++) metadata[i] = { topic: records[i]!.topic, partition: pairs[2 * i]!, offset: pairs[2 * i + 1]! };
    return metadata;
  }
}
