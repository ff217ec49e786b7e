import { TopologyError } from '../processor/topology-error.js';
import { duration } from './internals/duration.js';
import type { SessionWindowSpec, SlidingWindowSpec, TimeWindowSpec } from '../processor/stateful/window-specs.js';


/**
 * Fixed-size windows: tumbling (advance = size) or hopping (advanceBy < size). A window is
 * [start, start + size); it closes once stream time >= end + grace. Kafka Streams: `TimeWindows`.
 *
 * @example
 * TimeWindows.ofSizeAndGrace(60_000, 5_000)                  // tumbling minutes
 * TimeWindows.ofSizeAndGrace(300_000, 0).advanceBy(60_000)   // 5-minute windows every minute
 */
export class TimeWindows implements TimeWindowSpec {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    const size = duration('TimeWindows size', sizeMs, 1);
    return new TimeWindows(size, size, duration('TimeWindows grace', graceMs));
  }

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    const advance = duration('TimeWindows advance', advanceMs, 1);
    if (advance > this.sizeMs) throw new TopologyError(`TimeWindows advance (${advance} ms) must not exceed the size (${this.sizeMs} ms)`);
    return new TimeWindows(this.sizeMs, advance, this.graceMs);
  }
}

/**
 * Windows of activity per key, separated by at least the inactivity gap; a session is
 * [first record, last record] (both inclusive). Kafka Streams: `SessionWindows`.
 */
export class SessionWindows implements SessionWindowSpec {
  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(duration('SessionWindows gap', gapMs, 1), duration('SessionWindows grace', graceMs));
  }

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(gapMs, 0);
  }
}

/**
 * Windows of a fixed time difference that slide with the records: every distinct set of records
 * of a key whose timestamps are at most `timeDifference` apart is one window [start, end], both
 * inclusive. Kafka Streams: `SlidingWindows`.
 */
export class SlidingWindows implements SlidingWindowSpec {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(duration('SlidingWindows time difference', timeDifferenceMs, 1), duration('SlidingWindows grace', graceMs));
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /**
   * The same windows named by their size, as TimeWindows are: a sliding window's size is its time
   * difference (a window spans [start, start + size]).
   */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(duration('SlidingWindows size', sizeMs, 1), duration('SlidingWindows grace', graceMs));
  }

  static ofSizeWithNoGrace(sizeMs: number): SlidingWindows {
    return SlidingWindows.ofSizeAndGrace(sizeMs, 0);
  }
}
