import type { ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import type { TableValueGetter } from './table-value-getter.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/** How a stream record is joined with a table (KTable or GlobalKTable). */
export type StreamTableJoinSpec<K, V, KT, VT, VOut> = {
  table: TableValueGetter<KT, VT>;
  /** The table key to look up: the record's key for a KTable, a key selector for a GlobalKTable. */
  lookupKey: (key: K, value: V) => KT | null | undefined;
  /** Left join: a record without a table row is joined with null instead of dropped. */
  left: boolean;
  joiner: ValueJoinerWithKey<K, V, VT | null, VOut>;
};

/**
 * Stream-table join: each stream record is joined with the table's value at the moment the record
 * is processed; table updates alone emit nothing (they only change what later records see). The
 * result keeps the stream record's key and timestamp. Kafka Streams: `KStreamKTableJoin`.
 */
export function streamTableJoin<K, V, KT, VT, VOut>(spec: StreamTableJoinSpec<K, V, KT, VT, VOut>): ProcessorSupplier<K, V, K, VOut> {
  return () => {
    let lookup: (key: KT) => VT | undefined;
    let forward: (r: StreamRecord<K, VOut>) => void;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        lookup = spec.table.connect(context);
        forward = (r) => context.forward(r);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value } = record;
        if (value === null || value === undefined) return dropped('null value in a stream-table join');
        const tableKey = spec.lookupKey(key, value);
        const row = tableKey === null || tableKey === undefined ? undefined : lookup(tableKey);
        if (row === undefined && !spec.left) {
          if (tableKey === null || tableKey === undefined) dropped('null key in a stream-table join');
          return;
        }
        forward(record.withValue(spec.joiner(key, value, row ?? null)));
      },
    };
  };
}
