import { TopologyError } from '../processor/topology-error.js';
import { integerAtLeastOne } from './internals/integer-at-least-one.js';

/** How a suppressed table emits. Kafka Streams: `Suppressed`. */
export type Suppressed =
  | { readonly kind: 'window-close'; readonly maxRecords: number; readonly maxBytes: number; readonly name?: string }
  | { readonly kind: 'time-limit'; readonly waitMs: number; readonly maxRecords: number; readonly maxBytes: number; readonly name?: string };

/**
 * Bounds of a suppress buffer (Kafka Streams' `BufferConfig`): keys held, and bytes held (the
 * serialized keys and values). Unbounded by default.
 */
export type SuppressBufferLimits = { maxRecords?: number; maxBytes?: number; name?: string };

function limitsOf(where: string, options: SuppressBufferLimits): { maxRecords: number; maxBytes: number } {
  const limit = (field: 'maxRecords' | 'maxBytes') => integerAtLeastOne(`${where} ${field}`, options[field] ?? Number.MAX_SAFE_INTEGER);
  return { maxRecords: limit('maxRecords'), maxBytes: limit('maxBytes') };
}

/**
 * Suppression policies for `KTable.suppress`.
 *
 * @example
 * table.suppress(Suppressed.untilWindowCloses()).toStream()   // one final result per window
 */
export const Suppressed = {
  /**
   * Emits each window's final result once the window closes (end + grace); needs a windowed
   * table. Final means final: a buffer that outgrows `maxRecords` / `maxBytes` stops the
   * application with SuppressBufferFullError instead of emitting early (Kafka's shutDownWhenFull).
   */
  untilWindowCloses(options: SuppressBufferLimits = {}): Suppressed {
    return { kind: 'window-close', ...limitsOf('Suppressed.untilWindowCloses', options), ...(options.name !== undefined && { name: options.name }) };
  },
  /**
   * Emits a key's latest value `waitMs` of stream time after its first held update; when the
   * buffer holds more than `maxRecords` keys or `maxBytes` bytes, the oldest are emitted early.
   */
  untilTimeLimit(waitMs: number, options: SuppressBufferLimits = {}): Suppressed {
    if (!Number.isInteger(waitMs) || waitMs < 0) throw new TopologyError(`Suppressed.untilTimeLimit needs an integer wait >= 0 ms, got ${String(waitMs)}`);
    return { kind: 'time-limit', waitMs, ...limitsOf('Suppressed.untilTimeLimit', options), ...(options.name !== undefined && { name: options.name }) };
  },
} as const;
