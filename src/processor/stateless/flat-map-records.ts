import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';

/** One record in, zero or more out, in order (flatMap, flatMapValues). */
export function flatMapRecords<KIn, VIn, KOut, VOut>(
  mapper: (record: StreamRecord<KIn, VIn>) => Iterable<StreamRecord<KOut, VOut>>,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let context: ProcessorContext<KOut, VOut>;
    return {
      init: (c) => void (context = c),
      process: (record) => {
        for (const out of mapper(record)) context.forward(out);
      },
    };
  };
}
