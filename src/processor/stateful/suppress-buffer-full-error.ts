import { TributaryError } from '../../errors/tributary-error.js';

/**
 * A `Suppressed.untilWindowCloses` buffer outgrew its `maxRecords` / `maxBytes`. Emitting early
 * would break the promise of one final result per window, so processing stops instead (Kafka
 * Streams: the StreamsException of a `shutDownWhenFull` buffer). Raise the limits or shorten
 * the windows' grace.
 */
export class SuppressBufferFullError extends TributaryError {
  constructor(store: string, records: number, bytes: number, limits: { maxRecords: number; maxBytes: number }) {
    super('SUPPRESS_BUFFER_FULL', `Suppress buffer "${store}" holds ${records} records / ${bytes} bytes, over its limit of ${limits.maxRecords} records / ${limits.maxBytes} bytes`);
  }
}
