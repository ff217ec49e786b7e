import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';

/** Forwards the records for which `predicate` is true (filter; filterNot negates it). */
export function filterRecords<K, V>(predicate: (record: StreamRecord<K, V>) => boolean): ProcessorSupplier<K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => void (context = c),
      process: (record) => {
        if (predicate(record)) context.forward(record);
      },
    };
  };
}
