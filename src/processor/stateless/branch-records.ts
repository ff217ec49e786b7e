import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';

/**
 * Sends each record to the child of the first predicate it matches (split/branch). A record that
 * matches none goes to `defaultChild`, or is dropped when there is none.
 */
export function branchRecords<K, V>(
  branches: readonly { predicate: (record: StreamRecord<K, V>) => boolean; child: string }[],
  defaultChild: string | undefined,
): ProcessorSupplier<K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => void (context = c),
      process: (record) => {
        for (const branch of branches) {
          if (branch.predicate(record)) {
            context.forward(record, branch.child);
            return;
          }
        }
        if (defaultChild !== undefined) context.forward(record, defaultChild);
      },
    };
  };
}
