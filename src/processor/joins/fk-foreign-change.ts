import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from '../stateful/change.js';
import { encodeResponse, type SubscriberBucket } from './fk-wire.js';

/**
 * Foreign side of a foreign-key join, on the foreign table's changes: tells every row subscribed
 * to the changed key its new value (null when deleted) through the response topic.
 * Kafka Streams: ForeignTableJoinProcessorSupplier.
 */
export function fkForeignChange<KO, VO>(spec: {
  subscriptionStore: string;
  serdes: { foreignKey: Serde<KO> | undefined; foreignValue: Serde<VO> | undefined };
}): ProcessorSupplier<KO, Change<VO>, Buffer, Buffer> {
  return () => {
    let store: KeyValueStore<Buffer, SubscriberBucket>;
    let fkSerde: Serde<KO>;
    let valueSerde: Serde<VO>;
    let topic: string;
    let forward: (r: StreamRecord<Buffer, Buffer>) => void;
    return {
      init: (context) => {
        store = context.getStateStore(spec.subscriptionStore);
        fkSerde = (spec.serdes.foreignKey ?? context.keySerde()) as Serde<KO>;
        valueSerde = (spec.serdes.foreignValue ?? context.valueSerde()) as Serde<VO>;
        topic = `${context.applicationId}-fk-join`;
        forward = (r) => context.forward(r);
      },
      process: (record) => {
        if (record.key === null || record.key === undefined) return;
        const bucket = store.get(fkSerde.serialize(topic, record.key));
        if (bucket === undefined) return;
        const { newValue } = record.value;
        const value = newValue === undefined ? null : valueSerde.serialize(topic, newValue);
        for (const [pk, hash] of bucket) {
          forward(new StreamRecord(Buffer.from(pk, 'latin1'), encodeResponse({ hash, value }), record.timestamp, record.headers));
        }
      },
    };
  };
}
