import type { Windowed } from '../../serdes/windowed.js';
import type { SegmentedSessionStore } from '../../state/internals/segmented-session-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { AggregateOutput } from './aggregate-output.js';
import { keyIdentity, type Change } from './change.js';
import type { Aggregator } from './stream-aggregate.js';
import type { SessionWindowSpec } from './window-specs.js';

/** Combines the aggregates of two sessions that a record joins into one. */
export type Merger<K, A> = (key: K, left: A, right: A) => A;

const id = (w: Windowed<unknown>) => `${keyIdentity(w.key)}@${w.window.start}-${w.window.end}`;

/**
 * Session window aggregation (Kafka Streams' KStreamSessionWindowAggregate): a record opens the
 * session [t, t] and merges every session of its key that ends within the gap before it or starts
 * within the gap after it. Merged-away sessions are forwarded as tombstones. A record whose merged
 * session ends before stream time - grace is late: dropped and counted.
 */
export function sessionWindowAggregate<K, V, A>(storeName: string, spec: SessionWindowSpec, initializer: () => A, aggregator: Aggregator<K, V, A>, merger: Merger<K, A>): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => {
    let store: SegmentedSessionStore<K, A>;
    let out: AggregateOutput<Windowed<K>, A>;
    let dropped: (reason: string) => void;
    return {
      init: (context) => {
        store = context.getStateStore<SegmentedSessionStore<K, A>>(storeName);
        out = new AggregateOutput(context, store);
        dropped = context.recordDropped;
      },
      process: (record) => {
        const { key, value, timestamp } = record;
        if (key === null || key === undefined || value === null || value === undefined) return dropped('null key or value in a session aggregation');
        store.observe(timestamp);
        const closeTime = store.observedStreamTime - spec.graceMs;
        let start = timestamp;
        let end = timestamp;
        let agg = initializer();
        const overlapping = store.findSessions(key, timestamp - spec.gapMs, timestamp + spec.gapMs);
        for (const s of overlapping) {
          agg = merger(key, agg, s.value);
          start = Math.min(start, s.key.window.start);
          end = Math.max(end, s.key.window.end);
        }
        if (end < closeTime) return dropped('late: the session closed');
        const merged: Windowed<K> = { key, window: { start, end } };
        let previous: A | undefined;
        for (const s of overlapping) {
          if (s.key.window.start === start && s.key.window.end === end) {
            previous = s.value;
            continue;
          }
          store.remove(s.key);
          out.send(id(s.key), s.key, undefined, s.value, timestamp);
        }
        agg = aggregator(key, value, agg);
        store.put(merged, agg);
        out.send(id(merged), merged, agg, previous, timestamp);
      },
    };
  };
}
