import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import { decodeSubscription, encodeResponse, SubscriptionInstruction } from './fk-wire.js';
import type { TableValueGetter } from './table-value-getter.js';

/**
 * Foreign side of a foreign-key join, on the subscription topic: keeps each foreign key's
 * subscribers (primary key → row hash) in a logged store and answers with the foreign row's
 * current value (response topic, keyed by the primary key). Kafka Streams:
 * SubscriptionReceiveProcessorSupplier + SubscriptionJoinProcessorSupplier.
 */
export function fkSubscriptionReceive<KO, VO>(spec: {
  subscriptionStore: string;
  foreign: TableValueGetter<KO, VO>;
  serdes: { foreignKey: Serde<KO> | undefined; foreignValue: Serde<VO> | undefined };
}): ProcessorSupplier<Buffer, Buffer, Buffer, Buffer> {
  return () => {
    let store: KeyValueStore<Buffer, Map<string, Buffer | null>>;
    let lookup: (key: KO) => VO | undefined;
    let fkSerde: Serde<KO>;
    let valueSerde: Serde<VO>;
    let topic: string;
    let forward: (r: StreamRecord<Buffer, Buffer>) => void;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        store = context.getStateStore(spec.subscriptionStore);
        lookup = spec.foreign.connect(context);
        fkSerde = (spec.serdes.foreignKey ?? context.keySerde()) as Serde<KO>;
        valueSerde = (spec.serdes.foreignValue ?? context.valueSerde()) as Serde<VO>;
        topic = `${context.applicationId}-fk-join`;
        forward = (r) => context.forward(r);
        dropped = context.recordDropped;
      },
      process: (record) => {
        if (record.key === null || record.value === null) return dropped('foreign-key join subscription without key or value');
        const fk = record.key;
        const s = decodeSubscription(record.value, topic);
        const pk = s.primaryKey.toString('latin1');
        // Changed in place, not copied: get() hands out the staged bucket or a fresh decode of the
        // committed one, never the committed copy itself. A copy per subscription made a foreign key
        // with n subscribers cost O(n) per subscriber change (quadratic); now it is once per commit.
        const bucket = store.get(fk) ?? new Map<string, Buffer | null>();
        const respond = (value: Buffer | null) => forward(new StreamRecord(Buffer.from(s.primaryKey), encodeResponse({ hash: s.hash, value }), record.timestamp, record.headers));
        if (s.instruction === SubscriptionInstruction.DeleteNoPropagate || s.instruction === SubscriptionInstruction.DeleteAndPropagate) {
          bucket.delete(pk);
          store.put(fk, bucket.size === 0 ? null : bucket);
          if (s.instruction === SubscriptionInstruction.DeleteAndPropagate) respond(null);
          return;
        }
        bucket.set(pk, s.hash);
        store.put(fk, bucket);
        const row = lookup(fkSerde.deserialize(topic, fk));
        if (row !== undefined) respond(valueSerde.serialize(topic, row));
        else if (s.instruction === SubscriptionInstruction.PropagateNullIfMissing) respond(null);
      },
    };
  };
}
