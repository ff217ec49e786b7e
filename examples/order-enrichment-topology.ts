// The order-enrichment topology (used by examples/order-enrichment.ts, its test and the bench):
//   orders ⋈ customers (KTable, after re-keying orders by customer)
//          ⋈ products (GlobalKTable, looked up by the order's productId)  → enriched-orders
//   order-lines ⋈ products (KTable, foreign-key join on productId)        → priced-lines
import { Serdes, StreamsBuilder, type Topology } from '../src/index.js';

export type Customer = { name: string; country: string };
export type Product = { name: string; price: number };
export type Order = { customerId: string; productId: string; quantity: number };
export type OrderLine = { orderId: string; productId: string; quantity: number };
export type EnrichedOrder = { orderId: string; customer: string; country: string; product: string; total: number };
export type PricedLine = { orderId: string; product: string; quantity: number; lineTotal: number };

const s = Serdes.string();

/** `topic` maps each topic name (tests on a shared Kafka cluster give them a unique prefix). */
export function orderEnrichment(topic: (name: string) => string = (name) => name): Topology {
  const builder = new StreamsBuilder();
  const customers = builder.table(topic('customers'), { key: s, value: Serdes.json<Customer>() }, { name: 'customers' });
  const productsEverywhere = builder.globalTable(topic('products'), { key: s, value: Serdes.json<Product>() }, { name: 'products-global' });
  const products = builder.table(topic('products'), { key: s, value: Serdes.json<Product>() }, { name: 'products' });

  builder
    .stream(topic('orders'), { key: s, value: Serdes.json<Order>() })
    .map((orderId, order) => [order.customerId, { ...order, orderId }] as const)
    .join(customers, (order, customer) => ({ ...order, customer: customer.name, country: customer.country }), { key: s, value: Serdes.json() })
    .join(
      productsEverywhere,
      (_customerId, order) => order.productId,
      (order, product): EnrichedOrder => ({ orderId: order.orderId, customer: order.customer, country: order.country, product: product.name, total: product.price * order.quantity }),
    )
    .to(topic('enriched-orders'), { key: s, value: Serdes.json<EnrichedOrder>() });

  builder
    .table(topic('order-lines'), { key: s, value: Serdes.json<OrderLine>() }, { name: 'order-lines' })
    .join(
      products,
      (line) => line.productId,
      (line, product): PricedLine => ({ orderId: line.orderId, product: product.name, quantity: line.quantity, lineTotal: product.price * line.quantity }),
      { name: 'priced-lines', valueSerde: Serdes.json<PricedLine>() },
    )
    .toStream()
    .to(topic('priced-lines'), { key: s, value: Serdes.json<PricedLine>() });
  return builder.build();
}
