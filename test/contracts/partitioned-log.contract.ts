import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommitFailedError,
  InvalidConfigError,
  LogClosedError,
  OffsetOutOfRangeError,
  ProducerFencedError,
  TopicAlreadyExistsError,
  TransactionStateError,
  UnknownPartitionError,
  UnknownTopicError,
  murmur2,
  type PartitionedLog,
  type ProducerRecord,
} from '../../src/index.js';
import { readAll } from '../helpers/read-all.js';
import { until } from '../helpers/run-app.js';

/** How a backend under test is made: a fresh log, and a way to dispose of it. */
export type LogFactory = () => Promise<{ log: PartitionedLog; dispose: () => Promise<void> }>;

let topicCounter = 0;
/** Topic names unique per run, so the suite can share a real Kafka cluster with other runs. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${topicCounter++}`;
}

const b = (s: string) => Buffer.from(s);

/**
 * The PartitionedLog contract. Written against the interface only: EmbeddedLog runs it now and
 * KafkaLog runs the same file against a real broker.
 */
export function partitionedLogContract(backend: string, factory: LogFactory, capabilities: { consumerGroups: boolean } = { consumerGroups: true }): void {
  describe(`PartitionedLog contract: ${backend}`, () => {
    let log: PartitionedLog;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ log, dispose } = await factory());
    });
    afterAll(async () => {
      await dispose();
    });

    describe('topics', () => {
      it('creates, lists, describes and deletes a topic', async () => {
        const topic = uniqueTopic('topics');
        await log.createTopic(topic, { partitions: 3 });
        expect(await log.listTopics()).toContain(topic);
        const description = await log.describeTopic(topic);
        expect(description.name).toBe(topic);
        expect(description.config.partitions).toBe(3);
        expect(description.partitions.map((p) => [p.partition, p.startOffset, p.endOffset])).toEqual([
          [0, 0, 0],
          [1, 0, 0],
          [2, 0, 0],
        ]);
        await log.deleteTopic(topic);
        expect(await log.listTopics()).not.toContain(topic);
      });

      it('rejects a second topic of the same name without touching the first', async () => {
        const topic = uniqueTopic('dup');
        await log.createTopic(topic, { partitions: 2 });
        await log.produce([{ topic, partition: 1, key: b('k'), value: b('v') }]);
        await expect(log.createTopic(topic, { partitions: 5 })).rejects.toBeInstanceOf(TopicAlreadyExistsError);
        const description = await log.describeTopic(topic);
        expect(description.partitions).toHaveLength(2);
        expect(description.partitions[1]!.endOffset).toBe(1);
      });

      it('rejects partitions: 0 with an error naming the option', async () => {
        const error = await log.createTopic(uniqueTopic('zero'), { partitions: 0 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidConfigError);
        expect((error as InvalidConfigError).code).toBe('INVALID_CONFIG');
        expect((error as Error).message).toContain('partitions');
      });

      it('reports an unknown topic by name', async () => {
        const error = await log.describeTopic('no-such-topic-anywhere').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnknownTopicError);
        expect((error as Error).message).toContain('no-such-topic-anywhere');
        await expect(log.produce([{ topic: 'no-such-topic-anywhere', key: null, value: b('v') }])).rejects.toBeInstanceOf(UnknownTopicError);
      });
    });

    describe('produce and fetch', () => {
      it('returns metadata in the order of the records and dense offsets per partition', async () => {
        const topic = uniqueTopic('order');
        await log.createTopic(topic, { partitions: 2 });
        const records: ProducerRecord[] = [0, 1, 0, 0, 1].map((partition, i) => ({ topic, partition, key: b(`k${i}`), value: b(`v${i}`) }));
        const metadata = await log.produce(records);
        expect(metadata).toEqual([
          { topic, partition: 0, offset: 0 },
          { topic, partition: 1, offset: 0 },
          { topic, partition: 0, offset: 1 },
          { topic, partition: 0, offset: 2 },
          { topic, partition: 1, offset: 1 },
        ]);
      });

      it('round-trips keys, values, null key, null value, timestamps and headers', async () => {
        const topic = uniqueTopic('roundtrip');
        await log.createTopic(topic);
        // Recent times: Kafka's retention check deletes records stamped long ago (7 days by default).
        const t = Date.now() - 10_000;
        await log.produce([
          { topic, partition: 0, key: b('k1'), value: b('v1'), timestamp: t + 1_000, headers: { trace: b('abc'), 'ünï': b('') } },
          { topic, partition: 0, key: null, value: b('v2'), timestamp: t + 2_000 },
          { topic, partition: 0, key: b('k3'), value: null, timestamp: t + 3_000 },
        ]);
        const records = await log.fetch({ topic, partition: 0, offset: 0 });
        expect(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
          [0, 'k1', 'v1', t + 1_000],
          [1, null, 'v2', t + 2_000],
          [2, 'k3', null, t + 3_000],
        ]);
        expect(Object.fromEntries(Object.entries(records[0]!.headers).map(([k, v]) => [k, v.toString()]))).toEqual({ trace: 'abc', 'ünï': '' });
        expect(records[1]!.headers).toEqual({});
      });

      it("property: a keyed record lands on Kafka's murmur2 partition", async () => {
        const topic = uniqueTopic('murmur');
        await log.createTopic(topic, { partitions: 7 });
        await fc.assert(
          fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 30 }), async (keys) => {
            const metadata = await log.produce(keys.map((k) => ({ topic, key: Buffer.from(k), value: b('x') })));
            metadata.forEach((m, i) => expect(m.partition).toBe((murmur2(keys[i]!) & 0x7fffffff) % 7));
          }),
          { numRuns: 20 },
        );
      });

      it('returns [] at exactly the end offset and rejects offsets outside the log', async () => {
        const topic = uniqueTopic('range');
        await log.createTopic(topic, { partitions: 1 });
        expect(await log.fetch({ topic, partition: 0, offset: 0 })).toEqual([]);
        await log.produce([{ topic, partition: 0, key: null, value: b('a') }, { topic, partition: 0, key: null, value: b('b') }]);
        expect(await log.fetch({ topic, partition: 0, offset: 2 })).toEqual([]);
        const above = await log.fetch({ topic, partition: 0, offset: 3 }).catch((e: unknown) => e);
        expect(above).toBeInstanceOf(OffsetOutOfRangeError);
        expect((above as Error).message).toContain(`${topic}-0`);
        expect((above as Error).message).toContain('3');
        await expect(log.fetch({ topic, partition: 0, offset: -1 })).rejects.toBeInstanceOf(OffsetOutOfRangeError);
        expect((await log.fetch({ topic, partition: 0, offset: 1 })).map((r) => r.value?.toString())).toEqual(['b']);
      });

      it('rejects a partition out of range, naming topic and partition, and writes nothing', async () => {
        const topic = uniqueTopic('badpart');
        await log.createTopic(topic, { partitions: 2 });
        const error = await log
          .produce([{ topic, partition: 0, key: null, value: b('ok') }, { topic, partition: 2, key: null, value: b('bad') }])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnknownPartitionError);
        expect((error as Error).message).toContain(topic);
        expect((error as Error).message).toContain('2');
        await expect(log.fetch({ topic, partition: 5, offset: 0 })).rejects.toBeInstanceOf(UnknownPartitionError);
        expect((await log.describeTopic(topic)).partitions[0]!.endOffset).toBe(0);
      });

      it('honours maxRecords', async () => {
        const topic = uniqueTopic('max');
        await log.createTopic(topic);
        await log.produce(Array.from({ length: 20 }, (_, i) => ({ topic, partition: 0, key: null, value: b(String(i)) })));
        const first = await log.fetch({ topic, partition: 0, offset: 3, maxRecords: 5 });
        expect(first.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7]);
      });

      it('property: offsets are dense and increasing; fetch returns exactly what was produced, in order', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(fc.record({ key: fc.option(fc.string({ maxLength: 8 })), value: fc.option(fc.uint8Array({ maxLength: 64 })) }), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 8 }),
            async (calls) => {
              const topic = uniqueTopic('prop');
              await log.createTopic(topic, { partitions: 3 });
              const expected: [string | null, string | null][][] = [[], [], []];
              for (const call of calls) {
                const records = call.map((r) => ({ topic, key: r.key === null ? null : b(r.key), value: r.value === null ? null : Buffer.from(r.value) }));
                const metadata = await log.produce(records);
                metadata.forEach((m, i) => {
                  expect(m.offset).toBe(expected[m.partition]!.length);
                  expected[m.partition]!.push([records[i]!.key?.toString('hex') ?? null, records[i]!.value?.toString('hex') ?? null]);
                });
              }
              for (let p = 0; p < 3; p++) {
                const got = await readAll(log, topic, p);
                expect(got.map((r) => r.offset)).toEqual(expected[p]!.map((_, i) => i));
                expect(got.map((r) => [r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null])).toEqual(expected[p]);
              }
            },
          ),
          { numRuns: 15 },
        );
      });
    });

    describe('consumer offsets', () => {
      it('stores and returns committed offsets per group', async () => {
        const topic = uniqueTopic('offsets');
        await log.createTopic(topic, { partitions: 3 });
        await log.produce([{ topic, partition: 0, key: null, value: b('a') }, { topic, partition: 2, key: null, value: b('b') }]);
        await log.commitOffsets('group-a', [{ topic, partition: 0, offset: 1 }, { topic, partition: 2, offset: 1 }]);
        await log.commitOffsets('group-a', [{ topic, partition: 2, offset: 0 }]);
        expect(await log.committedOffsets('group-a', topic)).toEqual([
          { topic, partition: 0, offset: 1 },
          { topic, partition: 2, offset: 0 },
        ]);
        expect(await log.committedOffsets('group-b', topic)).toEqual([]);
      });

      it('reports lag as end offset minus committed offset', async () => {
        const topic = uniqueTopic('lag');
        await log.createTopic(topic, { partitions: 2 });
        await log.produce(Array.from({ length: 5 }, () => ({ topic, partition: 0, key: null, value: b('x') })));
        await log.commitOffsets('lag-group', [{ topic, partition: 0, offset: 2 }]);
        const lag = await log.groupLag('lag-group', topic);
        expect(lag.map((l) => [l.partition, l.committedOffset, l.endOffset, l.lag])).toEqual([
          [0, 2, 5, 3],
          [1, null, 0, 0],
        ]);
      });
    });

    describe('transactions', () => {
      it('hides open records from read_committed and shows them after commit, with the offsets', async () => {
        const topic = uniqueTopic('txn-commit');
        await log.createTopic(topic, { partitions: 2 });
        await log.produce([{ topic, partition: 0, key: null, value: b('before') }]);
        const txn = await log.transaction(`${topic}-tx`);
        await txn.produce([
          { topic, partition: 0, key: b('a'), value: b('in-txn-0') },
          { topic, partition: 1, key: b('b'), value: b('in-txn-1') },
        ]);
        await txn.sendOffsets('txn-group', [{ topic, partition: 0, offset: 1 }]);
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['before']);
        expect(await readAll(log, topic, 1)).toEqual([]);
        expect(await log.committedOffsets('txn-group', topic)).toEqual([]);
        await txn.commit();
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['before', 'in-txn-0']);
        expect((await readAll(log, topic, 1)).map((r) => r.value?.toString())).toEqual(['in-txn-1']);
        expect(await log.committedOffsets('txn-group', topic)).toEqual([{ topic, partition: 0, offset: 1 }]);
      });

      it('never shows an aborted transaction to read_committed, nor commits its offsets', async () => {
        const topic = uniqueTopic('txn-abort');
        await log.createTopic(topic);
        const txn = await log.transaction(`${topic}-tx`);
        await txn.produce([{ topic, partition: 0, key: null, value: b('aborted') }]);
        await txn.sendOffsets('abort-group', [{ topic, partition: 0, offset: 1 }]);
        await txn.abort();
        await log.produce([{ topic, partition: 0, key: null, value: b('after') }]);
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['after']);
        expect((await readAll(log, topic, 0, 'read_uncommitted')).map((r) => r.value?.toString())).toContain('aborted');
        expect(await log.committedOffsets('abort-group', topic)).toEqual([]);
      });

      it('fences the older transaction when a newer one takes the same id', async () => {
        const topic = uniqueTopic('txn-fence');
        await log.createTopic(topic);
        const id = `${topic}-tx`;
        const old = await log.transaction(id);
        await old.produce([{ topic, partition: 0, key: null, value: b('zombie') }]);
        const fresh = await log.transaction(id);
        const error = await old.produce([{ topic, partition: 0, key: null, value: b('zombie-2') }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProducerFencedError);
        expect((error as ProducerFencedError).code).toBe('PRODUCER_FENCED');
        await expect(old.commit()).rejects.toBeInstanceOf(ProducerFencedError);
        await fresh.produce([{ topic, partition: 0, key: null, value: b('fresh') }]);
        await fresh.commit();
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['fresh']);
      });

      it('releaseTransactionalId aborts the id\'s open transaction and fences it; the id then starts afresh', async () => {
        const topic = uniqueTopic('txn-release');
        await log.createTopic(topic);
        const id = `${topic}-tx`;
        const old = await log.transaction(id);
        await old.produce([{ topic, partition: 0, key: null, value: b('released') }]);
        expect(log.releaseTransactionalId).toBeDefined(); // every backend under test has it
        await log.releaseTransactionalId!(id);
        await expect(old.commit()).rejects.toBeInstanceOf(ProducerFencedError);
        const fresh = await log.transaction(id);
        await fresh.produce([{ topic, partition: 0, key: null, value: b('fresh') }]);
        await fresh.commit();
        // read_committed would stop before 'fresh' if the released transaction had been left open.
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['fresh']);
      });

      it('rejects use of a transaction after commit or abort', async () => {
        const topic = uniqueTopic('txn-state');
        await log.createTopic(topic);
        const committed = await log.transaction(`${topic}-a`);
        await committed.produce([{ topic, partition: 0, key: null, value: b('x') }]);
        await committed.commit();
        await expect(committed.produce([{ topic, partition: 0, key: null, value: b('y') }])).rejects.toBeInstanceOf(TransactionStateError);
        await expect(committed.commit()).rejects.toBeInstanceOf(TransactionStateError);
        const aborted = await log.transaction(`${topic}-b`);
        await aborted.abort();
        await expect(aborted.sendOffsets('g', [])).rejects.toBeInstanceOf(TransactionStateError);
        expect((await readAll(log, topic, 0)).map((r) => r.value?.toString())).toEqual(['x']);
      });

      it('property: read_committed shows exactly the committed transactions and plain records, in order', async () => {
        type Step = { kind: 'plain' | 'txn'; ending: 'commit' | 'abort' | 'open'; values: number };
        const step = fc.record({ kind: fc.constantFrom<'plain' | 'txn'>('plain', 'txn'), ending: fc.constantFrom<'commit' | 'abort' | 'open'>('commit', 'abort', 'open'), values: fc.integer({ min: 1, max: 4 }) });
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps: Step[]) => {
            const topic = uniqueTopic('txn-prop');
            await log.createTopic(topic, { partitions: 2 });
            const visible: string[][] = [[], []];
            const stillOpen: { txn: Awaited<ReturnType<PartitionedLog['transaction']>> }[] = [];
            let n = 0;
            for (const [i, s] of steps.entries()) {
              const records = Array.from({ length: s.values }, () => {
                const value = `v${n++}`;
                return { topic, partition: n % 2, key: null, value: b(value) };
              });
              if (s.kind === 'plain') {
                await log.produce(records);
                records.forEach((r) => visible[r.partition]!.push(r.value.toString()));
                continue;
              }
              const txn = await log.transaction(`${topic}-tx-${i}`);
              await txn.produce(records);
              if (s.ending === 'commit') {
                await txn.commit();
                records.forEach((r) => visible[r.partition]!.push(r.value.toString()));
              } else if (s.ending === 'abort') await txn.abort();
              else stillOpen.push({ txn });
            }
            for (let p = 0; p < 2; p++) {
              const got = (await readAll(log, topic, p)).map((r) => r.value!.toString());
              // Records behind an open transaction stay hidden until it ends: what is shown is a prefix.
              expect(visible[p]!.slice(0, got.length)).toEqual(got);
              if (stillOpen.length === 0) expect(got).toEqual(visible[p]);
            }
            for (const { txn } of stillOpen) await txn.abort();
            for (let p = 0; p < 2; p++) {
              expect((await readAll(log, topic, p)).map((r) => r.value!.toString())).toEqual(visible[p]);
            }
          }),
          { numRuns: 15 },
        );
      });
    });

    if (capabilities.consumerGroups) describe('consumer groups', () => {
      it('assigns co-partitioned topics together and rebalances when members join and leave', async () => {
        const a = uniqueTopic('grp-a');
        const c = uniqueTopic('grp-c');
        await log.createTopic(a, { partitions: 4 });
        await log.createTopic(c, { partitions: 4 });
        const groupId = uniqueTopic('group');
        const events: string[] = [];
        const first = await log.joinGroup(groupId, {
          topics: [a, c],
          onPartitionsRevoked: (ps) => void events.push(`first-revoked:${ps.length}`),
          onPartitionsAssigned: (ps) => void events.push(`first-assigned:${ps.length}`),
        });
        expect(first.assignment()).toHaveLength(8);
        const second = await log.joinGroup(groupId, { topics: [a, c] });
        // A backend may tell the first member of the rebalance a little after the second joined.
        await until(() => first.assignment().length === 4, 'the first member to give up half');
        const one = first.assignment();
        const two = second.assignment();
        expect(one.length + two.length).toBe(8);
        expect(one.length).toBe(4);
        for (const assignment of [one, two]) {
          const byTopic = (t: string) => assignment.filter((tp) => tp.topic === t).map((tp) => tp.partition).sort();
          expect(byTopic(a)).toEqual(byTopic(c));
        }
        await second.leave();
        await until(() => first.assignment().length === 8, 'the first member to get everything back');
        // Giving up half is a rebalance too: it ends with an assignment call that adds nothing.
        expect(events).toEqual(['first-assigned:8', 'first-revoked:4', 'first-assigned:0', 'first-assigned:4']);
        await first.leave();
      });

      it('commits offsets sent for the member that owns them and, on a log that fences by membership, refuses them once it has left', async () => {
        const topic = uniqueTopic('grp-txn');
        await log.createTopic(topic, { partitions: 2 });
        const groupId = uniqueTopic('group');
        const member = await log.joinGroup(groupId, { topics: [topic] });
        const owned = await log.transaction(uniqueTopic('owner'));
        await owned.produce([{ topic, partition: 0, key: b('k'), value: b('owned') }]);
        await owned.sendOffsets(groupId, [{ topic, partition: 0, offset: 1 }], member.memberId);
        await owned.commit();
        expect(await log.committedOffsets(groupId, topic)).toEqual([{ topic, partition: 0, offset: 1 }]);
        await member.leave();
        if (log.fencesByGroupMembership !== true) return; // Kafka through kafkajs: no KIP-447
        const late = await log.transaction(uniqueTopic('former-owner'));
        await late.produce([{ topic, partition: 0, key: b('k'), value: b('late') }]);
        await late.sendOffsets(groupId, [{ topic, partition: 0, offset: 2 }], member.memberId);
        await expect(late.commit()).rejects.toBeInstanceOf(CommitFailedError);
        expect(await log.committedOffsets(groupId, topic)).toEqual([{ topic, partition: 0, offset: 1 }]);
        expect((await readAll(log, topic, 0)).map((r) => r.value!.toString())).toEqual(['owned']);
      });
    });

    it('rejects every call after close with LogClosedError', async () => {
      const { log: closing, dispose: disposeClosing } = await factory();
      const topic = uniqueTopic('closed');
      await closing.createTopic(topic);
      await closing.close();
      await expect(closing.produce([{ topic, key: null, value: b('x') }])).rejects.toBeInstanceOf(LogClosedError);
      await expect(closing.fetch({ topic, partition: 0, offset: 0 })).rejects.toBeInstanceOf(LogClosedError);
      await expect(closing.transaction('t')).rejects.toBeInstanceOf(LogClosedError);
      await disposeClosing();
    });
  });
}
