// Order enrichment on the embedded log: orders joined with their customer (KTable) and product
// (GlobalKTable), and order lines priced by a foreign-key join with the products table, which
// re-prices lines when a price changes and follows a line that switches product.
import { Serdes, StreamsApp, type ReadOnlyKeyValueStore } from '../src/index.js';
import { untilCaughtUp } from './caught-up.js';
import { exampleLog, recentUtcTime } from './example-log.js';
import { orderEnrichment, type Customer, type Order, type OrderLine, type PricedLine, type Product } from './order-enrichment-topology.js';

const { log, stateDir, applicationId, createTopics } = await exampleLog('order-enrichment', 'order-enrichment');
await createTopics(Object.fromEntries(['customers', 'products', 'orders', 'order-lines', 'enriched-orders', 'priced-lines'].map((t) => [t, 2])));

const t0 = recentUtcTime(9);
const json = Serdes.json<unknown>();
const record = (topic: string, key: string, value: unknown, at: number) => ({ topic, key: Buffer.from(key), value: value === null ? null : json.serialize(topic, value), timestamp: t0 + at });
const customers: [string, Customer][] = [['c1', { name: 'Ada', country: 'UK' }], ['c2', { name: 'Linus', country: 'FI' }], ['c3', { name: 'Grace', country: 'US' }]];
const products: [string, Product][] = [['p1', { name: 'keyboard', price: 80 }], ['p2', { name: 'mouse', price: 25 }], ['p3', { name: 'monitor', price: 300 }]];
const orders: [string, Order][] = [
  ['o1', { customerId: 'c1', productId: 'p1', quantity: 1 }],
  ['o2', { customerId: 'c2', productId: 'p2', quantity: 3 }],
  ['o3', { customerId: 'c3', productId: 'p3', quantity: 2 }],
  ['o4', { customerId: 'c9', productId: 'p1', quantity: 1 }], // unknown customer: an inner join drops it
];
const lines: [string, OrderLine][] = [
  ['o1-1', { orderId: 'o1', productId: 'p1', quantity: 1 }],
  ['o2-1', { orderId: 'o2', productId: 'p2', quantity: 3 }],
  ['o3-1', { orderId: 'o3', productId: 'p3', quantity: 2 }],
  ['o3-2', { orderId: 'o3', productId: 'p2', quantity: 1 }],
];
await log.produce([
  ...customers.map(([k, v]) => record('customers', k, v, 0)),
  ...products.map(([k, v]) => record('products', k, v, 0)),
  ...orders.map(([k, v], i) => record('orders', k, v, 1_000 + i)),
  ...lines.map(([k, v], i) => record('order-lines', k, v, 1_000 + i)),
  // Later: the mouse gets cheaper, and line o3-2 switches from the mouse to a keyboard.
  record('products', 'p2', { name: 'mouse', price: 20 }, 5_000),
  record('order-lines', 'o3-2', { orderId: 'o3', productId: 'p1', quantity: 1 }, 6_000),
]);

// A global table is loaded to the end of its topic before anything is processed, so every order
// sees the newest price; the products KTable of the foreign-key join moves with event time.
const topology = orderEnrichment();
const app = new StreamsApp(topology, { applicationId, log, stateDir, processingGuarantee: 'exactly_once' });
await app.start();
await untilCaughtUp(log, app, applicationId, topology, ['customers', 'products', 'orders', 'order-lines']);

console.log('enriched orders:');
const enriched: string[] = [];
for (const partition of [0, 1]) {
  for (const r of await log.fetch({ topic: 'enriched-orders', partition, offset: 0, maxRecords: 100, isolation: 'read_committed' })) enriched.push(`  ${JSON.stringify(json.deserialize('', r.value!))}`);
}
console.log(enriched.sort().join('\n'));
console.log('priced order lines now (the store of the foreign-key join):');
const priced = await app.store<ReadOnlyKeyValueStore<string, PricedLine>>('priced-lines').all();
for (const { key, value } of priced) console.log(`  ${key} ${value.quantity} x ${value.product} = ${value.lineTotal}`);
await app.close();
await log.close();
