import type { Windowed } from '../../serdes/windowed.js';
import type { SegmentedWindowStore } from '../../state/internals/segmented-window-store.js';
import type { ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import { AggregateOutput } from './aggregate-output.js';
import type { Change } from './change.js';
import type { Aggregator } from './stream-aggregate.js';
import { firstTimeWindowStart, type TimeWindowSpec } from './window-specs.js';

/**
 * Tumbling/hopping window aggregation. A record updates every window containing its timestamp
 * unless that window is closed: stream time >= window end + grace (the record is then dropped and
 * counted). Stream time is kept in the window store, so the boundary holds across restarts.
 */
export function timeWindowAggregate<K, V, A>(storeName: string, spec: TimeWindowSpec, initializer: () => A, aggregator: Aggregator<K, V, A>): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => {
    let store: SegmentedWindowStore<K, A>;
    let out: AggregateOutput<Windowed<K>, A>;
    let dropped: (reason: string) => void;
    // Made once per processor, not per record: the record comes in as an argument.
    const fold = (old: A | undefined, record: StreamRecord<K, V>) => aggregator(record.key, record.value, old === undefined ? initializer() : old);
    const windowedKey = (record: StreamRecord<K, V>, start: number): Windowed<K> => ({ key: record.key, window: { start, end: start + spec.sizeMs } });
    return {
      init: (context) => {
        store = context.getStateStore<SegmentedWindowStore<K, A>>(storeName);
        out = new AggregateOutput(context, store);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value, timestamp } = record;
        if (key === null || key === undefined || value === null || value === undefined) return dropped('null key or value in a windowed aggregation');
        store.observe(timestamp);
        const closeTime = store.observedStreamTime - spec.graceMs;
        let updated = 0;
        for (let start = firstTimeWindowStart(spec, timestamp); start <= timestamp; start += spec.advanceMs) {
          const end = start + spec.sizeMs;
          if (end <= closeTime) continue;
          const r = store.updateWindow(key, start, fold, record);
          out.sendLazy(r.id, start, windowedKey, record, r.value, r.old, timestamp);
          updated++;
        }
        if (updated === 0) dropped('late: every window of the record is closed');
      },
    };
  };
}
