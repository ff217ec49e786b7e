import type { ProcessorContext, ProcessorSupplier } from '../processor.js';

/** Forwards every record unchanged (merge points, branch children). */
export function passThrough<K, V>(): ProcessorSupplier<K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init: (c) => void (context = c),
      process: (record) => context.forward(record),
    };
  };
}
