import type { Serde } from '../../serdes/serde.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from '../stateful/change.js';
import { decodeResponse, rowHash, sameHash } from './fk-wire.js';
import type { TableValueGetter } from './table-value-getter.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/**
 * Last step of a foreign-key join, back on the left table's partition: a response is joined with
 * the row's current value, unless the row changed since it subscribed (its hash differs: a newer
 * response is on its way) — that is how a row whose foreign key changed never shows the old
 * foreign row again. Kafka Streams: ResponseJoinProcessorSupplier.
 */
export function fkResponseResolve<K, V, VO, VOut>(spec: {
  left: boolean;
  table: TableValueGetter<K, V>;
  joiner: ValueJoinerWithKey<K, V, VO | null, VOut>;
  serdes: { primaryKey: Serde<K> | undefined; value: Serde<V> | undefined; foreignValue: Serde<VO> | undefined };
}): ProcessorSupplier<Buffer, Buffer, K, Change<VOut>> {
  return () => {
    let lookup: (key: K) => V | undefined;
    let pkSerde: Serde<K>;
    let valueSerde: Serde<V>;
    let foreignSerde: Serde<VO>;
    let topic: string;
    let forward: (r: StreamRecord<K, Change<VOut>>) => void;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        lookup = spec.table.connect(context);
        pkSerde = (spec.serdes.primaryKey ?? context.keySerde()) as Serde<K>;
        valueSerde = (spec.serdes.value ?? context.valueSerde()) as Serde<V>;
        foreignSerde = (spec.serdes.foreignValue ?? context.valueSerde()) as Serde<VO>;
        topic = `${context.applicationId}-fk-join`;
        forward = (r) => context.forward(r);
        dropped = context.recordDropped;
      },
      process: (record) => {
        if (record.key === null || record.value === null) return dropped('foreign-key join response without key or value');
        const response = decodeResponse(record.value, topic);
        const key = pkSerde.deserialize(topic, record.key);
        const current = lookup(key);
        const currentHash = current === undefined ? null : rowHash(valueSerde.serialize(topic, current));
        if (!sameHash(currentHash, response.hash)) return; // stale: the row changed after subscribing
        let newValue: VOut | undefined;
        if (current !== undefined) {
          const foreign = response.value === null ? null : foreignSerde.deserialize(topic, response.value);
          if (foreign !== null || spec.left) newValue = spec.joiner(key, current, foreign);
        }
        forward(new StreamRecord(key, { newValue, oldValue: undefined }, record.timestamp, record.headers));
      },
    };
  };
}
