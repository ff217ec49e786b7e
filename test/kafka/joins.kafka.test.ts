import { describe, expect, it } from 'vitest';
import { KafkaLog, Serdes, type LogRecord } from '../../src/index.js';
import { orderEnrichment } from '../../examples/order-enrichment-topology.js';
import { uniqueTopic } from '../contracts/partitioned-log.contract.js';
import { orderData, ORDER_TOPICS } from '../helpers/order-data.js';
import { crashUntilDone, INPUT_TIME_BASE, joinResultsDiffer } from '../helpers/app-crash-harness.js';
import { runOnLog } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { kafkaBootstrap } from '../helpers/kafka-bootstrap.js';

const json = Serdes.json<{ orderId?: string }>();

function latest(records: LogRecord[], keyOf: (r: LogRecord) => string): Record<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of records) {
    if (r.value === null) out.delete(keyOf(r));
    else out.set(keyOf(r), json.deserialize('', r.value));
  }
  return Object.fromEntries(out);
}

describe('joins on KafkaLog (exactly_once)', () => {
  it('order enrichment: stream-table, stream-globalTable and foreign-key joins through real internal topics equal the reference', async () => {
    const prefix = uniqueTopic('orders');
    const t = (name: string) => `${prefix}-${name}`;
    const log = new KafkaLog({ brokers: kafkaBootstrap().split(','), sessionTimeoutMs: 3_000 });
    try {
      const { inputs, enriched, priced } = orderData(INPUT_TIME_BASE, { customers: 30, products: 10, orders: 300, lines: 150 });
      const topics = Object.fromEntries(Object.entries(ORDER_TOPICS).map(([name, partitions]) => [t(name), partitions]));
      const { outputs } = await runOnLog(log, orderEnrichment(t), topics, inputs.map((i) => ({ ...i, topic: t(i.topic) })), {
        applicationId: `${prefix}-app`,
        processingGuarantee: 'exactly_once',
        stateDir: tempDir('tributary-kafka-join-state-'),
        commitIntervalMs: 100,
      });
      const enrichedOut = outputs.get(t('enriched-orders'))!;
      expect(enrichedOut).toHaveLength(enriched.size);
      expect(latest(enrichedOut, (r) => (json.deserialize('', r.value!) as { orderId: string }).orderId)).toEqual(Object.fromEntries(enriched));
      expect(latest(outputs.get(t('priced-lines'))!, (r) => r.key!.toString())).toEqual(Object.fromEntries(priced));
      // The foreign-key join's internal topics exist on the broker with the partition counts of the sides they serve.
      const names = await log.listTopics();
      const subscription = names.find((n) => n.startsWith(`${prefix}-app-`) && n.endsWith('SUBSCRIPTION-REGISTRATION-topic'))!;
      const response = names.find((n) => n.startsWith(`${prefix}-app-`) && n.endsWith('SUBSCRIPTION-RESPONSE-topic'))!;
      expect((await log.describeTopic(subscription)).partitions).toHaveLength(ORDER_TOPICS.products);
      expect((await log.describeTopic(response)).partitions).toHaveLength(ORDER_TOPICS['order-lines']);
    } finally {
      await log.close();
    }
  }, 180_000);

  it('a join topology killed with SIGKILL and restarted: every stream-table and stream-stream result exactly once', async () => {
    const plan = { inputs: 20_000, maxKills: 5, minDelayMs: 300, maxDelayMs: 2_000 };
    const { values, runs, records } = await crashUntilDone('exactly_once', { kind: 'kafka', bootstrap: kafkaBootstrap(), prefix: uniqueTopic('crash-join') }, plan, 'join');
    console.log(`kafka join exactly_once: finished after ${runs} runs`);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(await joinResultsDiffer(values, records, plan.inputs)).toBeUndefined();
  }, 240_000);
});
