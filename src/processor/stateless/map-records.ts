import type { ProcessorContext, ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';

/** One record in, one record out (map, mapValues, selectKey). */
export function mapRecords<KIn, VIn, KOut, VOut>(
  mapper: (record: StreamRecord<KIn, VIn>) => StreamRecord<KOut, VOut>,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let context: ProcessorContext<KOut, VOut>;
    return {
      init: (c) => void (context = c),
      process: (record) => context.forward(mapper(record)),
    };
  };
}
