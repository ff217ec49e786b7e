import { fkForeignChange } from '../../processor/joins/fk-foreign-change.js';
import { fkResponseResolve } from '../../processor/joins/fk-response-resolve.js';
import { fkSubscriptionReceive } from '../../processor/joins/fk-subscription-receive.js';
import { fkSubscriptionSend } from '../../processor/joins/fk-subscription-send.js';
import { subscriberBucketSerde } from '../../processor/joins/fk-wire.js';
import { joinedRow, tableTableJoin, type TableJoinKind } from '../../processor/joins/table-table-join.js';
import type { TableValueGetter } from '../../processor/joins/table-value-getter.js';
import type { ValueJoinerWithKey } from '../../processor/joins/value-joiner.js';
import type { ProcessorSupplier } from '../../processor/processor.js';
import { passThrough } from '../../processor/stateless/pass-through.js';
import { TopologyError } from '../../processor/topology-error.js';
import type { Serde } from '../../serdes/serde.js';
import { Serdes } from '../../serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import type { Materialized } from '../materialized.js';
import type { Graph } from './graph.js';
import { materializeTable, type DerivedTable } from './materialize-table.js';

/** What a join needs of a table handle (KTable's internals). */
export type TableInput = {
  readonly nodeName: string;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly getter: TableValueGetter<unknown, unknown> | undefined;
};

type AnyJoiner = ValueJoinerWithKey<unknown, unknown, unknown, unknown>;

function readable(table: TableInput): TableValueGetter<unknown, unknown> {
  if (table.getter === undefined) throw new TopologyError(`Table "${table.nodeName}" cannot be joined: it has no store to read by key (a windowed or suppressed table); join the table it was derived from`);
  return table.getter;
}

/**
 * Wires a table-table join on equal keys: each side's changes are joined with the other side's
 * current row; the result is read by joining both sides' rows (or from its store if materialized).
 */
export function addTableTableJoin(graph: Graph, left: TableInput, right: TableInput, o: { kind: TableJoinKind; joiner: AnyJoiner; materialized: Materialized<unknown, unknown> | undefined }): DerivedTable {
  const leftGetter = readable(left);
  const rightGetter = readable(right);
  const prefix = o.kind === 'inner' ? 'KTABLE-JOIN' : o.kind === 'left' ? 'KTABLE-LEFTJOIN' : 'KTABLE-OUTERJOIN';
  const thisName = graph.nodeName(`${prefix}THIS`);
  const otherName = graph.nodeName(`${prefix}OTHER`);
  const mergeName = graph.nodeName('KTABLE-MERGE');
  graph.add((t) => {
    t.addProcessor(thisName, tableTableJoin({ isLeft: true, kind: o.kind, other: rightGetter, joiner: o.joiner }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, left.nodeName);
    t.addProcessor(otherName, tableTableJoin({ isLeft: false, kind: o.kind, other: leftGetter, joiner: o.joiner }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, right.nodeName);
    t.connectProcessorAndStateStores(...rightGetter.stores.map((s) => [thisName, s] as const), ...leftGetter.stores.map((s) => [otherName, s] as const));
    t.addProcessor(mergeName, passThrough(), thisName, otherName);
    t.addCopartitionGroup(left.nodeName, right.nodeName);
  });
  const joined: TableValueGetter<unknown, unknown> = {
    stores: [...leftGetter.stores, ...rightGetter.stores],
    connect: (context) => {
      const l = leftGetter.connect(context);
      const r = rightGetter.connect(context);
      return (key) => joinedRow(o.kind, o.joiner, key, l(key), r(key));
    },
  };
  return materializeTable(graph, mergeName, o.materialized, left.keySerde, joined);
}

/**
 * Wires a foreign-key join: the left table's rows subscribe to their foreign key's partition
 * through `<applicationId>-<name>-SUBSCRIPTION-REGISTRATION-topic` (the foreign side keeps the
 * subscribers in a store), and the foreign side answers each subscriber with the row it joins
 * through `...-SUBSCRIPTION-RESPONSE-topic`, on every change of either side.
 */
export function addForeignKeyJoin(
  graph: Graph,
  left: TableInput,
  right: TableInput,
  o: { left: boolean; foreignKey: (value: unknown) => unknown; joiner: AnyJoiner; name: string | undefined; materialized: Materialized<unknown, unknown> | undefined },
): DerivedTable {
  const leftGetter = readable(left);
  const rightGetter = readable(right);
  const base = graph.nodeName('KTABLE-FK-JOIN', o.name);
  const sendName = `${base}-SUBSCRIPTION-REGISTRATION`;
  const subscriptionTopic = `${base}-SUBSCRIPTION-REGISTRATION-topic`;
  const subscriptionSink = `${base}-SUBSCRIPTION-REGISTRATION-SINK`;
  const subscriptionSource = `${base}-SUBSCRIPTION-REGISTRATION-SOURCE`;
  const receiveName = `${base}-SUBSCRIPTION-PROCESSOR`;
  const foreignName = `${base}-FOREIGN-TABLE-PROCESSOR`;
  const subscriptionStore = `${base}-SUBSCRIPTION-STATE-STORE`.replace(/[^a-zA-Z0-9._-]/g, '_');
  const responseTopic = `${base}-SUBSCRIPTION-RESPONSE-topic`;
  const responseSink = `${base}-SUBSCRIPTION-RESPONSE-SINK`;
  const responseSource = `${base}-SUBSCRIPTION-RESPONSE-SOURCE`;
  const resolveName = `${base}-RESPONSE-RESOLVER`;
  const mergeName = `${base}-RESULT`;
  const serdes = { primaryKey: left.keySerde, value: left.valueSerde, foreignKey: right.keySerde, foreignValue: right.valueSerde };
  const bytes = { keySerde: Serdes.bytes(), valueSerde: Serdes.bytes() };
  const store = Stores.keyValueStore({ name: subscriptionStore, caching: false, keySerde: Serdes.bytes(), valueSerde: subscriberBucketSerde });
  graph.add((t) => {
    t.addInternalTopic(subscriptionTopic);
    t.addInternalTopic(responseTopic);
    // Left side: register rows with their foreign key.
    const send = fkSubscriptionSend({ foreignKey: o.foreignKey, left: o.left, joiner: o.joiner, serdes, subscriptionChild: subscriptionSink, resultChild: mergeName });
    t.addProcessor(sendName, send as ProcessorSupplier<unknown, unknown, unknown, unknown>, left.nodeName);
    t.addSink(subscriptionSink, subscriptionTopic, bytes, sendName);
    // Foreign side: keep subscribers, answer on subscription and on foreign row changes.
    t.addSource(subscriptionSource, [subscriptionTopic], bytes);
    t.addProcessor(receiveName, fkSubscriptionReceive({ subscriptionStore, foreign: rightGetter, serdes }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, subscriptionSource);
    t.addProcessor(foreignName, fkForeignChange({ subscriptionStore, serdes }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, right.nodeName);
    t.addStateStore(store, receiveName, foreignName);
    t.connectProcessorAndStateStores(...rightGetter.stores.map((s) => [receiveName, s] as const));
    t.addSink(responseSink, responseTopic, bytes, receiveName, foreignName);
    // Left side again: join each answer with the row's current value.
    t.addSource(responseSource, [responseTopic], bytes);
    t.addProcessor(resolveName, fkResponseResolve({ left: o.left, table: leftGetter, joiner: o.joiner, serdes }) as ProcessorSupplier<unknown, unknown, unknown, unknown>, responseSource);
    t.connectProcessorAndStateStores(...leftGetter.stores.map((s) => [resolveName, s] as const));
    t.addProcessor(mergeName, passThrough(), sendName, resolveName);
    t.addCopartitionGroup(subscriptionSource, right.nodeName);
    t.addCopartitionGroup(responseSource, left.nodeName);
  });
  return materializeTable(graph, mergeName, o.materialized, left.keySerde, undefined);
}
