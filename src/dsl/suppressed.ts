import { TopologyError } from '../processor/topology-error.js';

/** How a suppressed table emits. Kafka Streams: `Suppressed`. */
export type Suppressed =
  | { readonly kind: 'window-close'; readonly name?: string }
  | { readonly kind: 'time-limit'; readonly waitMs: number; readonly maxRecords: number; readonly name?: string };

/**
 * Suppression policies for `KTable.suppress`.
 *
 * @example
 * table.suppress(Suppressed.untilWindowCloses()).toStream()   // one final result per window
 */
export const Suppressed = {
  /** Emits each window's final result once the window closes (end + grace); needs a windowed table. */
  untilWindowCloses(options: { name?: string } = {}): Suppressed {
    return { kind: 'window-close', ...(options.name !== undefined && { name: options.name }) };
  },
  /**
   * Emits a key's latest value `waitMs` of stream time after its first held update; with more
   * than `maxRecords` keys held (default unbounded), the oldest are emitted early.
   */
  untilTimeLimit(waitMs: number, options: { maxRecords?: number; name?: string } = {}): Suppressed {
    if (!Number.isInteger(waitMs) || waitMs < 0) throw new TopologyError(`Suppressed.untilTimeLimit needs an integer wait >= 0 ms, got ${String(waitMs)}`);
    const maxRecords = options.maxRecords ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new TopologyError(`Suppressed.untilTimeLimit maxRecords must be an integer >= 1, got ${String(maxRecords)}`);
    return { kind: 'time-limit', waitMs, maxRecords, ...(options.name !== undefined && { name: options.name }) };
  },
} as const;
