// Join throughput on EmbeddedLog (LevelDB stores + changelogs, 8 partitions):
// - stream-table: 1M orders joined with a 100k-key customers table (every order finds its row);
//   a first run loads the table (store + changelog), a second run (warm restart, stores kept)
//   joins the orders; its rate counts orders, start and final commit included.
// - stream-stream: 500k orders ⋈ 500k payments within a 1-minute window (each payment 0–29 s
//   after its order, keyed by order id), 1M input records; the rate counts both streams.
// - stream-stream leftJoin, 1-minute window, 200k orders 1 ms apart and no payment at all: every
//   order waits in the unmatched buffer (~60k at a time) until its window closes, then goes out
//   joined with null.
// - foreign-key join, 20k order lines all pointing at one product (a "hot" foreign key), exactly_once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog, JoinWindows, Serdes, StreamsApp, StreamsBuilder, type Topology } from '../src/index.js';

const ORDERS = Number(process.env.BENCH_JOIN_RECORDS ?? 1_000_000);
/** 'table', 'table-eos', 'stream', 'unmatched' or 'hot-fk' runs only that part (for profiling). */
const ONLY = process.env.BENCH_JOIN_ONLY;
const TABLE_KEYS = 100_000;
const PARTITIONS = 8;
const T0 = 1_700_000_000_000;
const s = Serdes.string();

function streamTable(): Topology {
  const builder = new StreamsBuilder();
  const customers = builder.table('customers', { key: s, value: s }, { name: 'customers' });
  builder.stream('orders', { key: s, value: s }).join(customers, (order, customer) => `${order}|${customer}`).to('out', { key: s, value: s });
  return builder.build();
}

function streamStream(): Topology {
  const builder = new StreamsBuilder();
  const payments = builder.stream('payments', { key: s, value: s });
  builder
    .stream('orders', { key: s, value: s })
    .join(payments, (order, payment) => `${order}|${payment}`, JoinWindows.ofTimeDifferenceAndGrace(60_000, 0), { storeName: 'order-payments' })
    .to('out', { key: s, value: s });
  return builder.build();
}

function unmatchedLeftJoin(): Topology {
  const builder = new StreamsBuilder();
  const payments = builder.stream('payments', { key: s, value: s });
  builder
    .stream('orders', { key: s, value: s })
    .leftJoin(payments, (order, payment) => `${order}|${payment}`, JoinWindows.ofTimeDifferenceAndGrace(60_000, 0))
    .to('out', { key: s, value: s });
  return builder.build();
}

const UNMATCHED_ORDERS = Math.min(200_000, ORDERS);

function* unmatchedOrders(): Generator<Input> {
  const value = Buffer.from('order');
  for (let o = 0; o < UNMATCHED_ORDERS; o++) yield { topic: 'orders', key: Buffer.from(`order-${o}`), value, timestamp: T0 + o };
}

const HOT_FK_LINES = 20_000;

function hotForeignKeyJoin(): Topology {
  const builder = new StreamsBuilder();
  const products = builder.table('products', { key: s, value: s });
  builder
    .table('lines', { key: s, value: Serdes.json<{ product: string; qty: number }>() })
    .join(products, (line) => line.product, (line, product) => `${line.qty} x ${product}`)
    .toStream()
    .to('out', { key: s, value: s });
  return builder.build();
}

function* hotForeignKeyInputs(): Generator<Input> {
  yield { topic: 'products', key: Buffer.from('p1'), value: Buffer.from('widget'), timestamp: T0 };
  for (let i = 0; i < HOT_FK_LINES; i++) yield { topic: 'lines', key: Buffer.from(`line-${i}`), value: Buffer.from(JSON.stringify({ product: 'p1', qty: i })), timestamp: T0 + i };
}

type Input = { topic: string; key: Buffer; value: Buffer; timestamp: number };

async function freshLog(dir: string, topics: string[], inputs: Iterable<Input>): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open(dir, { fsync: 'commit', maintenanceIntervalMs: 0 });
  for (const topic of [...topics, 'out']) await log.createTopic(topic, { partitions: PARTITIONS });
  await produce(log, inputs);
  return log;
}

function* tableRows(): Iterable<Input> {
  const customer = Buffer.from('x'.repeat(60));
  for (let c = 0; c < TABLE_KEYS; c++) yield { topic: 'customers', key: Buffer.from(`customer-${c}`), value: customer, timestamp: T0 };
}

function* orders(): Iterable<Input> {
  const order = Buffer.from('y'.repeat(100));
  for (let o = 0; o < ORDERS; o++) yield { topic: 'orders', key: Buffer.from(`customer-${(o * 7919) % TABLE_KEYS}`), value: order, timestamp: T0 + 1 + o };
}

function* pairInputs(): Iterable<Input> {
  const value = Buffer.from('z'.repeat(100));
  for (let o = 0; o < ORDERS / 2; o++) {
    const key = Buffer.from(`order-${o}`);
    yield { topic: 'orders', key, value, timestamp: T0 + o };
    yield { topic: 'payments', key, value, timestamp: T0 + o + (o % 30) * 1_000 };
  }
}

/** Runs the app until it has processed `total` records and closes it (the final commit counts). */
async function run(log: EmbeddedLog, topology: Topology, stateDir: string, guarantee: 'at_least_once' | 'exactly_once', total: number): Promise<{ seconds: number; outputs: number }> {
  const app = new StreamsApp(topology, { applicationId: 'join-bench', log, stateDir, processingGuarantee: guarantee });
  const started = performance.now();
  await app.start();
  while (app.metrics().processedRecords < total) {
    if (app.state === 'ERROR') throw app.error;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await app.close();
  const seconds = (performance.now() - started) / 1000;
  let outputs = 0;
  for (const p of (await log.describeTopic('out')).partitions) outputs += p.endOffset - p.startOffset;
  return { seconds, outputs };
}

async function endOffsets(log: EmbeddedLog, topic: string): Promise<number> {
  let n = 0;
  for (const p of (await log.describeTopic(topic)).partitions) n += p.endOffset;
  return n;
}

async function produce(log: EmbeddedLog, inputs: Iterable<Input>): Promise<void> {
  let batch: Input[] = [];
  for (const input of inputs) {
    batch.push(input);
    if (batch.length === 1000) {
      await log.produce(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await log.produce(batch);
}

export async function runJoinBench(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-joins-'));
  const results: Record<string, number | string> = { orders: ORDERS, 'table keys': TABLE_KEYS, partitions: PARTITIONS };
  try {
    const both = ['at_least_once', 'exactly_once'] as const;
    const tableRuns = ONLY === undefined || ONLY === 'table' ? both : ONLY === 'table-eos' ? (['exactly_once'] as const) : [];
    for (const guarantee of tableRuns) {
      const dir = path.join(root, `table-${guarantee}`);
      // First the table alone (its store and changelog), then the orders against the loaded table.
      const log = await freshLog(path.join(dir, 'log'), ['customers', 'orders'], tableRows());
      const load = await run(log, streamTable(), path.join(dir, 'state'), guarantee, TABLE_KEYS);
      results[`stream-table ${guarantee} table load rows/s`] = Math.round(TABLE_KEYS / load.seconds);
      await produce(log, orders());
      const { seconds, outputs } = await run(log, streamTable(), path.join(dir, 'state'), guarantee, ORDERS);
      results[`stream-table ${guarantee} orders/s`] = Math.round(ORDERS / seconds);
      results[`stream-table ${guarantee} outputs`] = outputs;
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const guarantee of ONLY === undefined || ONLY === 'stream' ? both : []) {
      const dir = path.join(root, `stream-${guarantee}`);
      const log = await freshLog(path.join(dir, 'log'), ['orders', 'payments'], pairInputs());
      const { seconds, outputs } = await run(log, streamStream(), path.join(dir, 'state'), guarantee, ORDERS);
      results[`stream-stream 1-min window ${guarantee} rec/s`] = Math.round(ORDERS / seconds);
      results[`stream-stream ${guarantee} outputs`] = outputs;
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (ONLY === undefined || ONLY === 'unmatched') {
      const dir = path.join(root, 'unmatched');
      const log = await freshLog(path.join(dir, 'log'), ['orders', 'payments'], unmatchedOrders());
      const { seconds, outputs } = await run(log, unmatchedLeftJoin(), path.join(dir, 'state'), 'at_least_once', UNMATCHED_ORDERS);
      results['stream-stream leftJoin, no partners, at_least_once rec/s'] = Math.round(UNMATCHED_ORDERS / seconds);
      results['stream-stream leftJoin, no partners, outputs (windows closed)'] = outputs;
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (ONLY === undefined || ONLY === 'hot-fk') {
      const dir = path.join(root, 'hot-fk');
      const log = await freshLog(path.join(dir, 'log'), ['products', 'lines'], hotForeignKeyInputs());
      const started = performance.now();
      const app = new StreamsApp(hotForeignKeyJoin(), { applicationId: 'join-bench', log, stateDir: path.join(dir, 'state'), processingGuarantee: 'exactly_once' });
      await app.start();
      // Done when every line has its joined row (the subscription round trip goes through two internal topics).
      while (app.state !== 'ERROR' && (await endOffsets(log, 'out')) < HOT_FK_LINES) await new Promise((resolve) => setTimeout(resolve, 20));
      if (app.state === 'ERROR') throw app.error;
      await app.close();
      results['foreign-key join, 20k rows on one foreign key, exactly_once rows/s'] = Math.round(HOT_FK_LINES / ((performance.now() - started) / 1000));
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return results;
}
