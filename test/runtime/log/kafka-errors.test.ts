import { describe, expect, it } from 'vitest';
import { KafkaError, ProducerFencedError } from '../../../src/index.js';
import { mapKafkaError } from '../../../src/runtime/log/kafka/kafka-errors.js';

/** What kafkajs throws for a broker error code: a protocol error with Kafka's type name. */
const protocolError = (type: string, retriable = false) => Object.assign(new Error(`broker said ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

describe('mapping Kafka errors', () => {
  it('makes an unknown server error inside a transaction retriable (the engine starts the tasks over), and nowhere else', () => {
    const inTransaction = mapKafkaError(protocolError('UNKNOWN'), { transactionalId: 'app-0_1' });
    expect(inTransaction).toBeInstanceOf(KafkaError);
    expect((inTransaction as KafkaError).retriable).toBe(true);
    const outside = mapKafkaError(protocolError('UNKNOWN'), { topic: 't' });
    expect((outside as KafkaError).retriable).toBe(false);
  });

  it('keeps fences as fences and other errors as the client says', () => {
    expect(mapKafkaError(protocolError('PRODUCER_FENCED'), { transactionalId: 'x' })).toBeInstanceOf(ProducerFencedError);
    expect((mapKafkaError(protocolError('NOT_LEADER_OR_FOLLOWER', true), {}) as KafkaError).retriable).toBe(true);
    expect((mapKafkaError(protocolError('INVALID_REQUEST'), { transactionalId: 'x' }) as KafkaError).retriable).toBe(false);
  });

  it('makes a refused sequence number retriable, also when kafkajs wraps it (the producer is replaced, the call can be made again)', () => {
    const wrapped = Object.assign(new Error('gave up'), { name: 'KafkaJSNonRetriableError', retriable: false, cause: protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER') });
    expect((mapKafkaError(wrapped, { topic: 't' }) as KafkaError).retriable).toBe(true);
    expect((mapKafkaError(protocolError('UNKNOWN_PRODUCER_ID'), { topic: 't' }) as KafkaError).retriable).toBe(true);
  });
});
