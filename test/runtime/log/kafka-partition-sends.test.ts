import { describe, expect, it } from 'vitest';
import type { PartitionBatch } from '../../../src/runtime/log/kafka/kafka-client.js';
import { PartitionSends } from '../../../src/runtime/log/kafka/partition-sends.js';

type Request = Parameters<Parameters<PartitionSends['sendAll']>[1]>[0];

const batch = (partition: number, count = 2): PartitionBatch => ({
  topic: 't',
  partition,
  messages: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${partition}-${i}`), timestamp: 1, headers: {} })),
});

/** A fake sendBatch whose answers the test releases one by one. */
function controlledSend() {
  const requests: { partitions: number[]; answer: (offset: number) => void; fail: (e: Error) => void }[] = [];
  const inFlight = new Map<number, number>();
  let mostInFlight = 0;
  const send = (request: Request) =>
    new Promise<{ topicName: string; partition: number; baseOffset: string }[]>((resolve, reject) => {
      const partitions = request.topicMessages.flatMap((t) => [...new Set(t.messages.map((m) => m.partition))]);
      for (const p of partitions) {
        inFlight.set(p, (inFlight.get(p) ?? 0) + 1);
        mostInFlight = Math.max(mostInFlight, inFlight.get(p)!);
      }
      const done = () => partitions.forEach((p) => inFlight.set(p, inFlight.get(p)! - 1));
      requests.push({
        partitions,
        answer: (offset) => (done(), resolve(partitions.map((partition) => ({ topicName: 't', partition, baseOffset: String(offset) })))),
        fail: (e) => (done(), reject(e)),
      });
    });
  return { send, requests, mostInFlight: () => mostInFlight };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('PartitionSends', () => {
  it('sends each partition in a request of its own and answers each batch with its base offset', async () => {
    const fake = controlledSend();
    const sent = new PartitionSends().sendAll([batch(0), batch(1), batch(2)], fake.send);
    await turn();
    expect(fake.requests.map((r) => r.partitions)).toEqual([[0], [1], [2]]);
    fake.requests.forEach((r, i) => r.answer(10 * (i + 1)));
    expect(await sent).toEqual([10, 20, 30]);
  });

  it('never has two requests in flight for one partition, across calls', async () => {
    const fake = controlledSend();
    const sends = new PartitionSends();
    const first = sends.sendAll([batch(0), batch(1)], fake.send);
    const second = sends.sendAll([batch(1), batch(2)], fake.send);
    await turn();
    // Partition 1 of the second call waits for the first call's request there.
    expect(fake.requests.map((r) => r.partitions)).toEqual([[0], [1], [2]]);
    fake.requests[1]!.answer(5);
    await turn();
    expect(fake.requests.map((r) => r.partitions)).toEqual([[0], [1], [2], [1]]);
    fake.requests[0]!.answer(0);
    fake.requests[2]!.answer(7);
    fake.requests[3]!.answer(6);
    expect(await first).toEqual([0, 5]);
    expect(await second).toEqual([6, 7]);
    expect(fake.mostInFlight()).toBe(1);
  });

  it('reports a failure only once the call has no request left in flight', async () => {
    const fake = controlledSend();
    let settled = false;
    const sent = new PartitionSends().sendAll([batch(0), batch(1)], fake.send).finally(() => (settled = true));
    await turn();
    fake.requests[0]!.fail(new Error('leader gone'));
    await turn();
    expect(settled).toBe(false);
    fake.requests[1]!.answer(3);
    await expect(sent).rejects.toThrow('leader gone');
  });

  it('refuses an answer without the partition instead of sending the records again', async () => {
    const sends = new PartitionSends();
    let requests = 0;
    const noOffset = async () => (requests++, [{ topicName: 't', partition: 0 }]);
    await expect(sends.sendAll([batch(0)], noOffset)).rejects.toThrow(/has no offset/);
    expect(requests).toBe(1);
  });
});
