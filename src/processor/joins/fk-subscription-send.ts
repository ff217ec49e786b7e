import type { Serde } from '../../serdes/serde.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from '../stateful/change.js';
import { encodeSubscription, rowHash, SubscriptionInstruction } from './fk-wire.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

export type FkSendSpec<K, V, KO, VO, VOut> = {
  foreignKey: (value: V) => KO | null | undefined;
  left: boolean;
  joiner: ValueJoinerWithKey<K, V, VO | null, VOut>;
  serdes: { primaryKey: Serde<K> | undefined; value: Serde<V> | undefined; foreignKey: Serde<KO> | undefined };
  /** Child receiving subscriptions (the sink of the subscription topic). */
  subscriptionChild: string;
  /** Child receiving result changes decided here (rows without a foreign key). */
  resultChild: string;
};

/**
 * First step of a foreign-key join, on the left table's changes: registers the row with its
 * foreign key's partition (subscription topic, keyed by the foreign key) and unregisters it from
 * the old foreign key when that changed. Rows with no foreign key are decided here: a left join
 * joins them with null, an inner join removes their result. Kafka Streams: SubscriptionSendProcessorSupplier.
 */
export function fkSubscriptionSend<K, V, KO, VO, VOut>(spec: FkSendSpec<K, V, KO, VO, VOut>): ProcessorSupplier<K, Change<V>, unknown, unknown> {
  return () => {
    let send: (fk: Buffer, instruction: SubscriptionInstruction, pk: Buffer, hash: Buffer | null, r: StreamRecord<K, Change<V>>) => void;
    let result: (r: StreamRecord<K, Change<V>>, value: VOut | undefined) => void;
    let fkBytes: (v: V | undefined) => Buffer | undefined;
    let pkBytes: (k: K) => Buffer;
    let hashOf: (v: V) => Buffer;
    return {
      init: (context) => {
        const topic = `${context.applicationId}-fk-join`;
        const fkSerde = (spec.serdes.foreignKey ?? context.keySerde()) as Serde<KO>;
        const pkSerde = (spec.serdes.primaryKey ?? context.keySerde()) as Serde<K>;
        const valueSerde = (spec.serdes.value ?? context.valueSerde()) as Serde<V>;
        fkBytes = (v) => {
          if (v === undefined) return undefined;
          const fk = spec.foreignKey(v);
          return fk === null || fk === undefined ? undefined : fkSerde.serialize(topic, fk);
        };
        pkBytes = (k) => pkSerde.serialize(topic, k);
        hashOf = (v) => rowHash(valueSerde.serialize(topic, v));
        send = (fk, instruction, pk, hash, r) => context.forward(new StreamRecord<unknown, unknown>(fk, encodeSubscription({ instruction, hash, primaryKey: pk }), r.timestamp, r.headers), spec.subscriptionChild);
        result = (r, value) => context.forward(new StreamRecord<unknown, unknown>(r.key, { newValue: value, oldValue: undefined } satisfies Change<VOut>, r.timestamp, r.headers), spec.resultChild);
      },
      process: (record) => {
        const { newValue, oldValue } = record.value;
        const newFk = fkBytes(newValue);
        const oldFk = fkBytes(oldValue);
        const pk = pkBytes(record.key);
        if (newValue === undefined) {
          if (oldFk !== undefined) send(oldFk, SubscriptionInstruction.DeleteAndPropagate, pk, null, record);
          else if (oldValue !== undefined) result(record, undefined);
          return;
        }
        const fkChanged = oldFk === undefined || newFk === undefined || !oldFk.equals(newFk);
        if (fkChanged && oldFk !== undefined) send(oldFk, SubscriptionInstruction.DeleteNoPropagate, pk, null, record);
        if (newFk === undefined) {
          if (spec.left) result(record, spec.joiner(record.key, newValue, null));
          else if (oldValue !== undefined) result(record, undefined);
          return;
        }
        // A row that moved to another foreign key must hear back even if that key has no row:
        // its old result has to be replaced (left join) or removed (inner join).
        const instruction = spec.left || (fkChanged && oldValue !== undefined) ? SubscriptionInstruction.PropagateNullIfMissing : SubscriptionInstruction.PropagateOnlyIfPresent;
        send(newFk, instruction, pk, hashOf(newValue), record);
      },
    };
  };
}
