import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedLog, InvalidRecordError, type LogRecord } from '../../src/index.js';
import { EmbeddedTransaction } from '../../src/runtime/log/embedded-transaction.js';
import { capabilitiesOf, LogServer } from '../../src/runtime/engine/threads/log-server.js';
import { RemoteLog } from '../../src/runtime/engine/threads/remote-log.js';
import { RpcChannel, type MessageEndpoint } from '../../src/runtime/engine/threads/rpc-channel.js';
import { readAll } from '../helpers/read-all.js';

// A stream thread encodes what it produces to EmbeddedLog as the log's own batches (one per
// partition); the main thread only stamps offsets and writes them. Whatever goes that way must
// land exactly as a direct produce would put it.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openEmbedded(): Promise<EmbeddedLog> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-encoded-'));
  const log = await EmbeddedLog.open(dir, { fsync: 'never', maintenanceIntervalMs: 0 });
  cleanups.push(async () => {
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return log;
}

function serve(embedded: EmbeddedLog): RemoteLog {
  const { port1, port2 } = new MessageChannel();
  const server = new LogServer(new RpcChannel(port1 as unknown as MessageEndpoint), embedded);
  cleanups.unshift(async () => {
    await server.dispose();
    port1.close();
  });
  return new RemoteLog(new RpcChannel(port2 as unknown as MessageEndpoint), capabilitiesOf(embedded));
}

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const record = fc.record(
  {
    topic: fc.constantFrom('a', 'b'),
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    partition: fc.integer({ min: 0, max: 2 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 41 }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), bytes, { maxKeys: 2 }),
  },
  { requiredKeys: ['topic', 'key', 'value', 'timestamp'] },
);
const calls = fc.array(fc.array(record, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 6 });

/** Every record of both topics, partition by partition, as a comparable list. */
async function contents(log: EmbeddedLog): Promise<string[]> {
  const out: string[] = [];
  for (const topic of ['a', 'b']) {
    for (let p = 0; p < 3; p++) for (const r of await readAll(log, topic, p, 'read_uncommitted')) out.push(describeRecord(r));
  }
  return out;
}

function describeRecord(r: LogRecord): string {
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}:${v.toString('hex')}`).join(',');
  return `${r.topic}/${r.partition}@${r.offset} ${r.key?.toString('hex') ?? 'null'}=${r.value?.toString('hex') ?? 'null'} t${r.timestamp} {${headers}}`;
}

describe('produce from a stream thread (encoded batches)', () => {
  it('lands every record where, and as, a direct produce puts it, with the same metadata (property)', async () => {
    const encodedCalls = vi.spyOn(EmbeddedLog.prototype, 'produceEncoded');
    const encodedTxnCalls = vi.spyOn(EmbeddedTransaction.prototype, 'produceEncoded');
    await fc.assert(
      fc.asyncProperty(calls, fc.boolean(), async (produceCalls, transactional) => {
        const direct = await openEmbedded();
        const served = await openEmbedded();
        for (const log of [direct, served]) {
          await log.createTopic('a', { partitions: 3 });
          await log.createTopic('b', { partitions: 3 });
        }
        const remote = serve(served);
        const directTxn = transactional ? await direct.transaction('t') : undefined;
        const remoteTxn = transactional ? await remote.transaction('t') : undefined;
        for (const records of produceCalls) {
          const expected = await (directTxn ?? direct).produce(records);
          const got = await (remoteTxn ?? remote).produce(records);
          expect(got).toEqual(expected);
        }
        await directTxn?.commit();
        await remoteTxn?.commit();
        expect(await contents(served)).toEqual(await contents(direct));
      }),
      { numRuns: 40 },
    );
    // The records really went encoded (every one has a timestamp and a known topic).
    expect(encodedCalls.mock.calls.length).toBeGreaterThan(0);
    expect(encodedTxnCalls.mock.calls.length).toBeGreaterThan(0);
    vi.restoreAllMocks();
  });

  it('refuses records the log would refuse, writing nothing of the call', async () => {
    const embedded = await openEmbedded();
    await embedded.createTopic('a', { partitions: 2 });
    await embedded.createTopic('compacted', { partitions: 2, cleanupPolicy: 'compact' });
    const remote = serve(embedded);
    const good = { topic: 'a', key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 };
    await expect(remote.produce([good, { ...good, value: 'not a buffer' as unknown as Buffer }])).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(remote.produce([good, { topic: 'compacted', key: null, value: Buffer.from('v'), timestamp: 1 }])).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(remote.produce([good, { ...good, partition: 7 }])).rejects.toThrow(/partition/i);
    expect((await embedded.describeTopic('a')).partitions.map((p) => p.endOffset)).toEqual([0, 0]);
  });

  it('follows a topic recreated with another partition count', async () => {
    const embedded = await openEmbedded();
    await embedded.createTopic('a', { partitions: 2 });
    const remote = serve(embedded);
    const record = (i: number) => ({ topic: 'a', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: i });
    await remote.produce([record(0)]);
    await embedded.deleteTopic('a');
    await embedded.createTopic('a', { partitions: 5 });
    const metadata = await remote.produce(Array.from({ length: 20 }, (_, i) => record(i)));
    const direct = await openEmbedded();
    await direct.createTopic('a', { partitions: 5 });
    expect(metadata).toEqual(await direct.produce(Array.from({ length: 20 }, (_, i) => record(i))));
  });
});
