import { Serdes } from '../../src/index.js';
import type { Customer, EnrichedOrder, Order, OrderLine, PricedLine, Product } from '../../examples/order-enrichment-topology.js';

/** Topics of the order-enrichment topology with their partition counts. */
export const ORDER_TOPICS = { customers: 3, products: 2, orders: 2, 'order-lines': 3, 'enriched-orders': 2, 'priced-lines': 3 };

type Input = { topic: string; key: Buffer; value: Buffer | null; timestamp: number };
const json = Serdes.json<unknown>();

/**
 * Inputs for the order-enrichment topology and what it must output: customers and products come
 * first (event time), then orders and order lines; lines later change quantity, switch product or
 * are deleted, and some product prices change after the lines that use them.
 */
export function orderData(base: number, sizes = { customers: 40, products: 15, orders: 600, lines: 300 }) {
  const inputs: Input[] = [];
  const put = (topic: string, key: string, value: unknown, at: number) => inputs.push({ topic, key: Buffer.from(key), value: value === null ? null : json.serialize(topic, value), timestamp: base + at });
  const customers = new Map<string, Customer>();
  const products = new Map<string, Product>();
  for (let c = 0; c < sizes.customers; c++) customers.set(`c${c}`, { name: `customer-${c}`, country: ['UK', 'FI', 'US'][c % 3]! });
  for (let p = 0; p < sizes.products; p++) products.set(`p${p}`, { name: `product-${p}`, price: 10 + p });
  for (const [k, v] of customers) put('customers', k, v, 0);
  for (const [k, v] of products) put('products', k, v, 0);
  const orders: [string, Order][] = [];
  for (let o = 0; o < sizes.orders; o++) {
    // Every 7th order names a customer that does not exist: the inner join drops it.
    const order = { customerId: `c${o % 7 === 6 ? 999 : (o * 13) % sizes.customers}`, productId: `p${(o * 5) % sizes.products}`, quantity: 1 + (o % 4) };
    orders.push([`o${o}`, order]);
    put('orders', `o${o}`, order, 1_000 + o);
  }
  const lines = new Map<string, OrderLine | null>();
  for (let l = 0; l < sizes.lines; l++) {
    const line = { orderId: `o${l}`, productId: `p${(l * 3) % sizes.products}`, quantity: 1 + (l % 5) };
    lines.set(`l${l}`, line);
    put('order-lines', `l${l}`, line, 1_000 + l);
  }
  // Later changes: every 4th line switches product, every 9th is deleted; prices of even products rise.
  for (let l = 0; l < sizes.lines; l += 4) {
    const line = { ...lines.get(`l${l}`)!, productId: `p${(l * 7 + 1) % sizes.products}` };
    lines.set(`l${l}`, line);
    put('order-lines', `l${l}`, line, 5_000 + l);
  }
  for (let l = 0; l < sizes.lines; l += 9) {
    lines.set(`l${l}`, null);
    put('order-lines', `l${l}`, null, 6_000 + l);
  }
  for (let p = 0; p < sizes.products; p += 2) {
    const product = { ...products.get(`p${p}`)!, price: products.get(`p${p}`)!.price * 2 };
    products.set(`p${p}`, product);
    put('products', `p${p}`, product, 7_000 + p);
  }
  // The global table is loaded to the end of its topic before processing: orders see final prices.
  const enriched = new Map<string, EnrichedOrder>();
  for (const [orderId, o] of orders) {
    const customer = customers.get(o.customerId);
    const product = products.get(o.productId)!;
    if (customer !== undefined) enriched.set(orderId, { orderId, customer: customer.name, country: customer.country, product: product.name, total: product.price * o.quantity });
  }
  const priced = new Map<string, PricedLine>();
  for (const [lineId, line] of lines) {
    if (line === null) continue;
    const product = products.get(line.productId)!;
    priced.set(lineId, { orderId: line.orderId, product: product.name, quantity: line.quantity, lineTotal: product.price * line.quantity });
  }
  return { inputs, enriched, priced };
}
