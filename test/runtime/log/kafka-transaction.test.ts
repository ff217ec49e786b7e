import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../../src/index.js';
import type { ClientTransaction } from '../../../src/runtime/log/kafka/kafka-client.js';
import { KafkaTransaction, type KafkaTransactionHost } from '../../../src/runtime/log/kafka/kafka-transaction.js';

/** What kafkajs throws for a broker error code: a protocol error with Kafka's type name. */
const protocolError = (type: string, retriable: boolean) => Object.assign(new Error(`broker said ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

const host: KafkaTransactionHost = {
  ensureOpen: () => undefined,
  isCurrent: () => true,
  plan: async () => ({ batches: [], place: () => [] }),
  validateOffsets: async () => undefined,
  finished: () => undefined,
  producerFenced: () => undefined,
  awaitMarkers: async () => undefined,
};

describe('a Kafka transaction', () => {
  it('sends EndTxn once: CONCURRENT_TRANSACTIONS on commit fails retriably (the engine starts over), not as "transaction ended"', async () => {
    const calls: string[] = [];
    let ended = false;
    // Like kafkajs: a transaction whose EndTxn failed refuses every later call.
    const client: ClientTransaction = {
      produce: async () => [],
      sendOffsets: async () => undefined,
      commit: async () => {
        calls.push('commit');
        if (ended) throw Object.assign(new Error('Cannot continue to use transaction once ended'), { name: 'KafkaJSNonRetriableError' });
        ended = true;
        throw protocolError('CONCURRENT_TRANSACTIONS', true);
      },
      abort: async () => {
        calls.push('abort');
        if (ended) throw Object.assign(new Error('Cannot continue to use transaction once ended'), { name: 'KafkaJSNonRetriableError' });
      },
    };
    const txn = new KafkaTransaction(host, 'app-0_1', 1, client);
    const failure = await txn.commit().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KafkaError);
    expect((failure as KafkaError).kafkaType).toBe('CONCURRENT_TRANSACTIONS');
    expect((failure as KafkaError).retriable).toBe(true);
    expect(calls.filter((c) => c === 'commit')).toHaveLength(1);
  });

  it('retries AddOffsetsToTxn answered CONCURRENT_TRANSACTIONS', async () => {
    let attempts = 0;
    const client: ClientTransaction = {
      produce: async () => [],
      sendOffsets: async () => {
        if (++attempts < 3) throw protocolError('CONCURRENT_TRANSACTIONS', true);
      },
      commit: async () => undefined,
      abort: async () => undefined,
    };
    const txn = new KafkaTransaction(host, 'app-0_1', 1, client);
    await txn.sendOffsets('app', [{ topic: 't', partition: 0, offset: 5 }]);
    expect(attempts).toBe(3);
    await txn.commit();
  });
});
