import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';

/** Runs `action` on each record; forwards it unchanged when `forward` (peek) or not (foreach, print). */
export function peekRecords<K, V>(action: (record: StreamRecord<K, V>) => void, forward: boolean): ProcessorSupplier<K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => void (context = c),
      process: (record) => {
        action(record);
        if (forward) context.forward(record);
      },
    };
  };
}
