import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ProducerPool } from '../../../src/runtime/log/kafka/producer-pool.js';

/** A stand-in for kafkajs' producer: records what went through it; `failNext` makes the next call fail. */
function fakeProducer(id: number) {
  const sent: number[] = [];
  const fake = {
    id,
    sent,
    disconnected: false,
    connects: 0,
    failConnect: undefined as Error | undefined,
    failNext: undefined as Error | undefined,
    connect: async () => {
      fake.connects++;
      if (fake.failConnect) throw fake.failConnect;
    },
    disconnect: async () => void (fake.disconnected = true),
    sendBatch: async (request: { topicMessages: { topic: string; messages: { partition: number }[] }[] }) => {
      const partition = request.topicMessages[0]!.messages[0]!.partition;
      if (fake.failNext) {
        const e = fake.failNext;
        fake.failNext = undefined;
        throw e;
      }
      sent.push(partition);
      return [{ topicName: request.topicMessages[0]!.topic, partition, baseOffset: '0' }];
    },
  };
  return fake;
}

function pool(failConnectFrom = Infinity) {
  const made: ReturnType<typeof fakeProducer>[] = [];
  const producers = new ProducerPool(() => {
    const p = fakeProducer(made.length);
    if (made.length >= failConnectFrom) p.failConnect = new Error('broker down');
    made.push(p);
    return p as unknown as Producer;
  });
  return { producers, made };
}

const request = (topic: string, partition: number) => ({ acks: -1, topicMessages: [{ topic, messages: [{ partition, key: null, value: null, timestamp: '0', headers: {} }] }] });
const refused = () => Object.assign(new Error('out of order'), { name: 'KafkaJSProtocolError', type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false });

describe('ProducerPool', () => {
  it('sends a partition through the same producer every time, and spreads a topic over all of them', async () => {
    const { producers, made } = pool();
    await producers.connect();
    for (let round = 0; round < 3; round++) for (let p = 0; p < 8; p++) await producers.send(request('orders', p));
    const owners = Array.from({ length: 8 }, (_, p) => made.filter((m) => m.sent.includes(p)).map((m) => m.id));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    expect(new Set(owners.flat()).size).toBe(made.length);
    expect(made.length).toBeGreaterThan(1);
  });

  it('replaces a producer whose sequence numbers the broker refused; the next send goes through the new one', async () => {
    const { producers, made } = pool();
    await producers.connect();
    await producers.send(request('t', 0));
    const first = made.find((m) => m.sent.includes(0))!;
    first.failNext = refused();
    await expect(producers.send(request('t', 0))).rejects.toThrow('out of order');
    await producers.send(request('t', 0));
    const renewed = made.at(-1)!;
    expect(first.disconnected).toBe(true);
    expect(renewed.sent).toEqual([0]);
    expect(first.sent).toEqual([0]);
  });

  it('keeps a producer after other errors', async () => {
    const { producers, made } = pool();
    await producers.connect();
    const count = made.length;
    made.forEach((m) => (m.failNext = Object.assign(new Error('leader moved'), { type: 'NOT_LEADER_FOR_PARTITION', retriable: true })));
    await expect(producers.send(request('t', 1))).rejects.toThrow('leader moved');
    expect(made).toHaveLength(count);
  });

  it('tries again to connect a renewed producer that could not connect, instead of failing every send after', async () => {
    // The pool's own producers are made first; every one made after them cannot connect at first.
    const { producers, made } = pool(4);
    await producers.connect();
    expect(made).toHaveLength(4);
    await producers.send(request('t', 2));
    made.find((m) => m.sent.includes(2))!.failNext = refused();
    await expect(producers.send(request('t', 2))).rejects.toThrow('out of order');
    const renewed = made[4]!;
    await expect(producers.send(request('t', 2))).rejects.toThrow('broker down');
    expect(renewed.connects).toBe(1);
    renewed.failConnect = undefined;
    await producers.send(request('t', 2));
    expect(renewed.connects).toBe(2);
    expect(renewed.sent).toEqual([2]);
  });
});
