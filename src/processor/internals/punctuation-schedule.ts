import type { Cancellable, Punctuator, PunctuationType } from '../processor.js';

type Schedule = { interval: number; punctuator: Punctuator; next: number; cancelled: boolean };

/**
 * A task's punctuators of one kind. As in Kafka Streams, a jump over several intervals fires a
 * punctuator once, and the next firing is one interval after the time it fired at.
 */
export class PunctuationQueue {
  private readonly schedules: Schedule[] = [];

  constructor(readonly type: PunctuationType) {}

  add(interval: number, punctuator: Punctuator, now: number): Cancellable {
    const schedule: Schedule = { interval, punctuator, next: Math.max(now, 0) + interval, cancelled: false };
    this.schedules.push(schedule);
    return {
      cancel: () => {
        schedule.cancelled = true;
        this.schedules.splice(this.schedules.indexOf(schedule), 1);
      },
    };
  }

  /** Fires every schedule that is due at `now`; returns how many fired. */
  fire(now: number, around: (run: () => void) => void): number {
    let fired = 0;
    for (const s of [...this.schedules]) {
      if (s.cancelled || now < s.next) continue;
      s.next = now >= s.next + s.interval ? now + s.interval : s.next + s.interval;
      around(() => s.punctuator(now));
      fired++;
    }
    return fired;
  }

  get size(): number {
    return this.schedules.length;
  }
}
