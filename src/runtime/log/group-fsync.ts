import { fsyncAsync } from './file-format.js';

/**
 * fsyncs one file for many callers at once (group commit). A caller's writes are durable once an
 * fsync that began after them has finished: with none in flight one starts now; otherwise the
 * caller joins the single fsync queued behind the one in flight, which every caller arriving
 * meanwhile shares. Several transactions committing together then cost two fsyncs, not one each.
 */
export class GroupFsync {
  /** The newest fsync started, until it settles: a caller arriving meanwhile queues behind it. */
  private latest: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  /** `fd` is read when each fsync starts: the file may be replaced (see CoordinatorLog.compact). */
  constructor(private readonly fd: () => number) {}

  /** Resolves once every write made before the call is durable; rejects if that fsync fails. */
  sync(): Promise<void> {
    if (this.latest === undefined) return this.start();
    this.queued ??= this.latest
      .catch(() => undefined) // its own callers see that failure; the queued fsync still runs
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  /** Waits until no fsync is running or queued (before the file is closed). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.queued !== undefined) {
      await Promise.allSettled([...this.inFlight, this.queued]);
    }
  }

  private start(): Promise<void> {
    const run = fsyncAsync(this.fd());
    this.latest = run;
    this.inFlight.add(run);
    const done = () => {
      this.inFlight.delete(run);
      if (this.latest === run) this.latest = undefined;
    };
    run.then(done, done);
    return run;
  }
}
