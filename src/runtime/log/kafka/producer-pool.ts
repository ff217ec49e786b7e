import type { Producer } from 'kafkajs';
import { lostSequence } from './kafka-errors.js';
import type { SendRequest, SendResponse } from './partition-sends.js';

/** How many producers: 8 measured no faster than 4 (each request costs CPU here too). */
const POOL_SIZE = 4;

/** `connected` undefined: connect on the next send (the last attempt failed). */
type Member = { client: Producer; connected: Promise<void> | undefined };

/**
 * The idempotent producers behind KafkaLog.produce, each partition always through the same one.
 *
 * PartitionSends puts each partition in a request of its own, and kafkajs lets an idempotent
 * producer have one request in flight per broker: with a single producer, a produce over eight
 * partitions of one broker waited eight round trips. Four producers send side by side. A partition
 * keeps its producer, so its sequence numbers stay in one producer's hands.
 */
export class ProducerPool {
  private readonly members: Member[];

  constructor(private readonly make: () => Producer) {
    this.members = Array.from({ length: POOL_SIZE }, () => ({ client: make(), connected: undefined }));
  }

  async connect(): Promise<void> {
    for (const m of this.members) m.connected = m.client.connect();
    await Promise.all(this.members.map((m) => m.connected));
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => (m.connected ?? Promise.resolve()).catch(() => undefined).then(() => m.client.disconnect())));
  }

  /** Sends a one-partition request through that partition's producer. */
  async send(request: SendRequest): Promise<SendResponse> {
    const { topic, messages } = request.topicMessages[0]!;
    const index = memberFor(topic, messages[0]!.partition);
    const member = this.members[index]!;
    const connected = (member.connected ??= handled(member.client.connect()));
    try {
      await connected;
    } catch (e) {
      // The producer could not connect (the broker was down): the next send tries again.
      if (member.connected === connected) member.connected = undefined;
      throw e;
    }
    try {
      return await member.client.sendBatch(request);
    } catch (e) {
      // The broker no longer accepts this producer's sequence numbers, and kafkajs would send
      // the same ones forever. A new producer id starts them over, as Kafka's Java producer does.
      if (lostSequence(e) && this.members[index] === member) {
        const client = this.make();
        this.members[index] = { client, connected: handled(member.client.disconnect().catch(() => undefined).then(() => client.connect())) };
      }
      throw e;
    }
  }
}

/** Consecutive partitions of a topic go to different producers; the topic only shifts the start. */
function memberFor(topic: string, partition: number): number {
  let hash = 0;
  for (let i = 0; i < topic.length; i++) hash = (hash * 31 + topic.charCodeAt(i)) | 0;
  return ((hash >>> 0) + partition) % POOL_SIZE;
}

/** A producer's connect, marked handled: no produce call may come to await its failure. */
function handled(connected: Promise<void>): Promise<void> {
  connected.catch(() => undefined);
  return connected;
}
