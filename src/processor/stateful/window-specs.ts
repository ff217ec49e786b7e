/** Time windows as processors see them (TimeWindows in the DSL). */
export type TimeWindowSpec = { readonly sizeMs: number; readonly advanceMs: number; readonly graceMs: number };
/** Session windows as processors see them (SessionWindows in the DSL). */
export type SessionWindowSpec = { readonly gapMs: number; readonly graceMs: number };
/** Sliding windows as processors see them (SlidingWindows in the DSL). */
export type SlidingWindowSpec = { readonly timeDifferenceMs: number; readonly graceMs: number };

/** Starts of the time windows containing `timestamp`, oldest first (as Kafka's TimeWindows.windowsFor). */
export function timeWindowStarts(spec: TimeWindowSpec, timestamp: number): number[] {
  const starts: number[] = [];
  for (let start = firstTimeWindowStart(spec, timestamp); start <= timestamp; start += spec.advanceMs) starts.push(start);
  return starts;
}

/** The oldest start of timeWindowStarts; the others follow every `advanceMs` up to `timestamp`. */
export function firstTimeWindowStart(spec: TimeWindowSpec, timestamp: number): number {
  return Math.floor(Math.max(0, timestamp - spec.sizeMs + spec.advanceMs) / spec.advanceMs) * spec.advanceMs;
}
