/**
 * Base class of every error Tributary raises on purpose.
 *
 * `code` is stable across releases (match on it, not on the message); `retriable` says whether
 * the same call may succeed if tried again. Kafka Streams equivalent: `StreamsException`.
 *
 * @example
 * try { await log.fetch(req); } catch (e) { if (e instanceof TributaryError && e.retriable) retry(); }
 */
export class TributaryError extends Error {
  /** A stable, upper-case identifier of the failure, e.g. `OFFSET_OUT_OF_RANGE`. */
  readonly code: string;
  /** True when repeating the call later may succeed. */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
