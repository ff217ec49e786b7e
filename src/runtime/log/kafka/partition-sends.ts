import type { PartitionBatch } from './kafka-client.js';

/** The part of kafkajs' sendBatch request that KafkaLog fills in. */
export type SendRequest = {
  acks: number;
  topicMessages: { topic: string; messages: { partition: number; key: Buffer | null; value: Buffer | null; timestamp: string; headers: Record<string, Buffer> }[] }[];
};

/** The part of kafkajs' sendBatch answer that KafkaLog reads. */
export type SendResponse = { topicName: string; partition: number; baseOffset?: string }[];

type Send = (request: SendRequest) => Promise<SendResponse>;

/**
 * Sends batches through one idempotent (or transactional) kafkajs producer with one partition per
 * request and at most one request in flight per partition.
 *
 * kafkajs sends a multi-partition call as one request per leader, side by side. When one of them
 * fails it retries at once, while the others are still in flight, and sends those again under new
 * sequence numbers. On a three-node cluster with a leader killed, that wrote one partition's records
 * twice, or sent a partition to its new leader ahead of the request still out at the old one, after
 * which every send failed with OUT_OF_ORDER_SEQUENCE_NUMBER. A call holding one partition makes one
 * request at a time; kafkajs takes back its sequence numbers when it fails, so the retry reuses them
 * and the broker drops a copy the old leader had written after all.
 *
 * The cost: kafkajs has one request in flight per broker for an idempotent producer, so a call
 * spanning n partitions of one broker waits n round trips instead of one (KafkaLog.produce spreads
 * its partitions over a ProducerPool to send side by side again).
 */
export class PartitionSends {
  /** Per partition, the send in flight there (settled or not); the next one waits for it. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  /** Base offset of each batch, in order. Settles once none of its requests is in flight. */
  async sendAll(batches: PartitionBatch[], send: Send): Promise<number[]> {
    const results = await Promise.allSettled(batches.map((b) => this.sendAfterPrevious(b, send)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<number>).value);
  }

  private sendAfterPrevious(batch: PartitionBatch, send: Send): Promise<number> {
    const id = `${batch.topic}\u0000${batch.partition}`;
    const run = (this.inFlight.get(id) ?? Promise.resolve()).then(() => sendOne(batch, send));
    const settled = run.catch(() => undefined);
    this.inFlight.set(id, settled);
    void settled.then(() => {
      if (this.inFlight.get(id) === settled) this.inFlight.delete(id);
    });
    return run;
  }
}

/** Sends one partition's batch, acknowledged by all in-sync replicas; answers its base offset. */
async function sendOne(batch: PartitionBatch, send: Send): Promise<number> {
  const messages = batch.messages.map((m) => ({ partition: batch.partition, key: m.key, value: m.value, timestamp: String(m.timestamp), headers: m.headers }));
  const response = await send({ acks: -1, topicMessages: [{ topic: batch.topic, messages }] });
  const answer = response.find((r) => r.topicName === batch.topic && r.partition === batch.partition);
  // kafkajs counted these records as sent: sending them again could write them twice.
  if (answer?.baseOffset === undefined) throw new Error(`Kafka's answer to a produce to ${batch.topic}-${batch.partition} has no offset`);
  return Number(answer.baseOffset);
}
