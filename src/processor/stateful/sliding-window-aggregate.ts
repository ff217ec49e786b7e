import type { Windowed } from '../../serdes/windowed.js';
import type { SegmentedWindowStore } from '../../state/internals/segmented-window-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';
import type { Aggregator } from './stream-aggregate.js';
import type { SlidingWindowSpec } from './window-specs.js';

type Span = { start: number; end: number };

/**
 * The windows of one key given its record times (Kafka Streams' sliding-window semantics): each
 * record at t has a left window [t - d, t] (records earlier than d share [0, d]) and, when a record
 * follows within d + 1, a right window [t + 1, t + 1 + d]. Both bounds are inclusive.
 */
function windowsOf(times: readonly number[], d: number): Span[] {
  const spans = new Map<number, Span>();
  for (const t of times) {
    const left = t < d ? { start: 0, end: d } : { start: t - d, end: t };
    spans.set(left.start, left);
    if (times.some((u) => u > t && u <= t + 1 + d)) spans.set(t + 1, { start: t + 1, end: t + 1 + d });
  }
  return [...spans.values()].sort((a, b) => a.start - b.start);
}

/**
 * Sliding window aggregation. The key's raw records within reach are kept in a duplicate-keeping
 * window store; each record recomputes the windows that contain it (folding their records in
 * timestamp order) and forwards those that changed. Windows closed by grace are left alone; a
 * record whose every window is closed is dropped and counted.
 */
export function slidingWindowAggregate<K, V, A>(storeName: string, recordsStoreName: string, spec: SlidingWindowSpec, initializer: () => A, aggregator: Aggregator<K, V, A>): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  const d = spec.timeDifferenceMs;
  return () => {
    let store: SegmentedWindowStore<K, A>;
    let records: SegmentedWindowStore<K, V>;
    let out: AggregateOutput<Windowed<K>, A>;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        store = context.getStateStore<SegmentedWindowStore<K, A>>(storeName);
        records = context.getStateStore<SegmentedWindowStore<K, V>>(recordsStoreName);
        out = new AggregateOutput(context, store);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value, timestamp: ts } = record;
        if (key === null || key === undefined || value === null || value === undefined) return dropped('null key or value in a sliding window aggregation');
        store.observe(ts);
        records.observe(ts);
        const closeTime = store.observedStreamTime - spec.graceMs;
        if (ts + 1 + d < closeTime) return dropped('late: every sliding window of the record is closed');
        records.put(key, value, ts);
        const nearby = records.fetch(key, Math.max(0, ts - 2 * d - 2), ts + 2 * d + 2);
        const times = [...new Set(nearby.map((r) => r.key))];
        for (const w of windowsOf(times, d)) {
          // A window with inclusive end e closes once stream time >= e + 1 + grace.
          if (w.start > ts || w.end < ts || w.end < closeTime) continue;
          let agg = initializer();
          for (const r of nearby) if (r.key >= w.start && r.key <= w.end) agg = aggregator(key, r.value, agg);
          const old = store.fetch(key, w.start);
          store.put(key, agg, w.start);
          out.send(`${keyIdentity(key)}@${w.start}`, { key, window: w }, agg, old, ts);
        }
      },
    };
  };
}
