import { TopologyError } from '../processor/topology-error.js';
import { duration } from './internals/duration.js';
import type { JoinWindowSpec } from '../processor/joins/stream-stream-join.js';


/**
 * How far apart in time two records of a stream-stream join may be: a record of this stream at
 * time t joins records of the other stream in [t - before, t + after]. A record's window closes
 * once stream time passes its end plus grace; later records are dropped, and left/outer results
 * with a missing side are emitted then. Kafka Streams: `JoinWindows`.
 *
 * @example
 * JoinWindows.ofTimeDifferenceAndGrace(60_000, 10_000)          // within a minute, either way
 * JoinWindows.ofTimeDifferenceWithNoGrace(5_000).after(0)        // the other record at most 5 s earlier
 */
export class JoinWindows implements JoinWindowSpec {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  /** Records at most `timeDifferenceMs` apart (either way) join; `graceMs` admits late records. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    const difference = duration('JoinWindows time difference', timeDifferenceMs, 0);
    return new JoinWindows(difference, difference, duration('JoinWindows grace', graceMs, 0));
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** How much earlier the other stream's record may be (may be negative while before + after >= 0). */
  before(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.checked(duration('JoinWindows before', timeDifferenceMs, -Number.MAX_SAFE_INTEGER), this.afterMs, this.graceMs);
  }

  /** How much later the other stream's record may be (may be negative while before + after >= 0). */
  after(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.checked(this.beforeMs, duration('JoinWindows after', timeDifferenceMs, -Number.MAX_SAFE_INTEGER), this.graceMs);
  }

  /** Width of the window: before + after. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  private static checked(beforeMs: number, afterMs: number, graceMs: number): JoinWindows {
    if (beforeMs + afterMs < 0) throw new TopologyError(`JoinWindows before (${beforeMs} ms) + after (${afterMs} ms) must be >= 0: the window would be empty`);
    return new JoinWindows(beforeMs, afterMs, graceMs);
  }
}
