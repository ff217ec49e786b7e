import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog, JoinWindows, Serdes, StreamsApp, StreamsBuilder, TopologyError, type LogRecord } from '../../src/index.js';
import { orderEnrichment } from '../../examples/order-enrichment-topology.js';
import { orderData, ORDER_TOPICS } from '../helpers/order-data.js';
import { runOnLog } from '../helpers/run-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const s = Serdes.string();
const json = Serdes.json<unknown>();
const logs: EmbeddedLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

async function openLog(): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(tempDir('tributary-join-log-'), { fsync: 'never', maintenanceIntervalMs: 0 });
  logs.push(log);
  return log;
}

/** The last value per key of a topic's records (null for a delete). */
function latest(records: LogRecord[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const r of records) {
    if (r.value === null) out.delete(r.key!.toString());
    else out.set(r.key!.toString(), json.deserialize('', r.value));
  }
  return out;
}

describe('co-partitioning of join inputs', () => {
  it('fails at build() when declared partition counts differ, naming both topics', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', { key: s, value: s }).repartition({ name: 'ra', partitions: 2 });
    const b = builder.stream('b', { key: s, value: s }).repartition({ name: 'rb', partitions: 3 });
    a.join(b, (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    expect(() => builder.build()).toThrow(TopologyError);
    expect(() => builder.build()).toThrow(/"ra-repartition" has 2 partitions and topic "rb-repartition" has 3/);
  });

  it('fails at start when the topics differ, naming both, and works once one side is repartitioned', async () => {
    const log = await openLog();
    await log.createTopic('orders', { partitions: 2 });
    await log.createTopic('customers', { partitions: 3 });
    const build = (repartition: boolean) => {
      const builder = new StreamsBuilder();
      const customers = builder.table('customers', { key: s, value: s });
      const orders = builder.stream('orders', { key: s, value: s });
      (repartition ? orders.repartition({ name: 'orders-by-customer' }) : orders).join(customers, (o, c) => `${o}@${c}`).to('out', { key: s, value: s });
      return builder.build();
    };
    const app = new StreamsApp(build(false), { applicationId: 'copart', log, stateDir: tempDir('tributary-join-state-') });
    await expect(app.start()).rejects.toThrow(/topic "orders" has 2 partitions and topic "customers" has 3|topic "customers" has 3 partitions and topic "orders" has 2/);
    expect(app.state).toBe('ERROR');
    // A repartition topic without a declared count takes its join partner's count (3).
    const inputs = [
      { topic: 'customers', key: Buffer.from('c1'), value: Buffer.from('Ada'), timestamp: 1 },
      ...[0, 1, 2, 3].map((i) => ({ topic: 'orders', key: Buffer.from('c1'), value: Buffer.from(`o${i}`), timestamp: 10 + i })),
    ];
    const { outputs } = await runOnLog(log, build(true), { out: 3 }, inputs, { applicationId: 'copart-2', stateDir: tempDir('tributary-join-state-') });
    expect((await log.describeTopic('copart-2-orders-by-customer-repartition')).partitions).toHaveLength(3);
    expect(outputs.get('out')!.map((r) => r.value!.toString()).sort()).toEqual(['o0@Ada', 'o1@Ada', 'o2@Ada', 'o3@Ada']);
  });
});

describe('order enrichment on EmbeddedLog', () => {
  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`${guarantee}: enriched orders and foreign-key-joined lines equal the reference`, async () => {
      const log = await openLog();
      const { inputs, enriched, priced } = orderData(1_700_000_000_000);
      const { outputs } = await runOnLog(log, orderEnrichment(), ORDER_TOPICS, inputs, { applicationId: `orders-${guarantee}`, processingGuarantee: guarantee, stateDir: tempDir('tributary-join-state-') });
      const enrichedOut = outputs.get('enriched-orders')!;
      if (guarantee === 'exactly_once') expect(enrichedOut).toHaveLength(enriched.size); // each order once
      expect(Object.fromEntries(latest(enrichedOut.map((r) => ({ ...r, key: Buffer.from((json.deserialize('', r.value!) as { orderId: string }).orderId) }))))).toEqual(Object.fromEntries(enriched));
      expect(Object.fromEntries(latest(outputs.get('priced-lines')!))).toEqual(Object.fromEntries(priced));
    }, 60_000);
  }
});
