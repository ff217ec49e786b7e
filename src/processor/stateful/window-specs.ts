/** Time windows as processors see them (TimeWindows in the DSL). */
export type TimeWindowSpec = { readonly sizeMs: number; readonly advanceMs: number; readonly graceMs: number };
/** Session windows as processors see them (SessionWindows in the DSL). */
export type SessionWindowSpec = { readonly gapMs: number; readonly graceMs: number };
/** Sliding windows as processors see them (SlidingWindows in the DSL). */
export type SlidingWindowSpec = { readonly timeDifferenceMs: number; readonly graceMs: number };

/**
 * Start of the oldest time window containing `timestamp`; the others start every `advanceMs`
 * after it, up to `timestamp` (as Kafka's TimeWindows.windowsFor).
 */
export function firstTimeWindowStart(spec: TimeWindowSpec, timestamp: number): number {
  return Math.floor(Math.max(0, timestamp - spec.sizeMs + spec.advanceMs) / spec.advanceMs) * spec.advanceMs;
}
