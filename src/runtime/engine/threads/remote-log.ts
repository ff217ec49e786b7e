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
import { packRecords, unpackLogRecords } from './record-packing.js';
import type { RpcChannel } from './rpc-channel.js';

const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** Bytes that arrived from another thread come as a plain Uint8Array: give them Buffer's methods back. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The main thread's log, seen from a stream thread (worker): every call goes over the channel
 * to a LogServer. Fetched batches are decoded and checked here, produced records packed here.
 */
export class RemoteLog implements PartitionedLog {
  private readonly joins = new Map<number, { options: JoinGroupOptions; current: Map<string, TopicPartition> }>();
  private nextJoin = 0;
  readonly lastStableOffset?: (topic: string, partition: number) => Promise<number>;
  readonly releaseTransactionalId?: (transactionalId: string) => Promise<void>;

  constructor(
    private readonly channel: RpcChannel,
    capabilities: LogCapabilities,
  ) {
    if (capabilities.lastStableOffset) this.lastStableOffset = (topic, partition) => channel.call('lastStableOffset', [topic, partition]);
    if (capabilities.releaseTransactionalId) this.releaseTransactionalId = (id) => channel.call('releaseTransactionalId', [id]);
    channel.handle('rebalance', (joinId: number, kind: 'revoked' | 'assigned', partitions: TopicPartition[]) => this.rebalance(joinId, kind, partitions));
  }

  createTopic(name: string, config?: TopicConfig): Promise<void> {
    return this.channel.call('createTopic', [name, config]);
  }

  deleteTopic(name: string): Promise<void> {
    return this.channel.call('deleteTopic', [name]);
  }

  listTopics(): Promise<string[]> {
    return this.channel.call('listTopics', []);
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.channel.call('describeTopic', [name]);
  }

  produce(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return produceVia(this.channel, 'produce', [], records);
  }

  async fetch(req: FetchRequest): Promise<LogRecord[]> {
    const result = await this.channel.call<RemoteFetchResult>('fetch', [req]);
    if ('packed' in result) return unpackLogRecords(result.packed);
    for (const chunk of result.batches.chunks) chunk.buf = asBuffer(chunk.buf);
    return decodeFetchedBatches(result.batches);
  }

  async transaction(transactionalId: string): Promise<LogTransaction> {
    const handle = await this.channel.call<number>('transaction', [transactionalId]);
    const channel = this.channel;
    return {
      produce: (records) => produceVia(channel, 'txn.produce', [handle], records),
      sendOffsets: (groupId, offsets) => channel.call('txn.sendOffsets', [handle, groupId, offsets]),
      commit: () => channel.call('txn.commit', [handle]),
      abort: () => channel.call('txn.abort', [handle]),
    };
  }

  commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return this.channel.call('commitOffsets', [groupId, offsets]);
  }

  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.channel.call('committedOffsets', [groupId, topic]);
  }

  async joinGroup(groupId: string, options: JoinGroupOptions): Promise<GroupMember> {
    const joinId = this.nextJoin++;
    const join = { options, current: new Map<string, TopicPartition>() };
    // Registered before the call: the first assignment arrives before joinGroup answers.
    this.joins.set(joinId, join);
    let reply: { memberId: string; assignment: TopicPartition[] };
    try {
      reply = await this.channel.call('joinGroup', [joinId, groupId, options.topics]);
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
        await this.channel.call('leaveGroup', [joinId]);
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
    return this.channel.call('describeGroup', [groupId]);
  }

  groupLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    return this.channel.call('groupLag', [groupId, topic]);
  }

  /** The log belongs to the main thread: closing this view closes nothing there. */
  async close(): Promise<void> {}
}

async function produceVia(channel: RpcChannel, method: string, head: unknown[], records: ProducerRecord[]): Promise<RecordMetadata[]> {
  const packed = packRecords(records);
  const pairs = await channel.call<Float64Array>(method, [...head, packed], [packed.bytes.buffer as ArrayBuffer]);
  const metadata = new Array<RecordMetadata>(records.length);
  for (let i = 0; i < records.length; i++) metadata[i] = { topic: records[i]!.topic, partition: pairs[2 * i]!, offset: pairs[2 * i + 1]! };
  return metadata;
}
