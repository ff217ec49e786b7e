// The variants a bench compares side by side (a guarantee, and a commit interval when not the
// guarantee's default), and how their runs are summed up. Shared by the streams and stateful benches.

/** A timed run: a guarantee, and a commit interval when not the guarantee's default. */
export type Variant = { guarantee: 'at_least_once' | 'exactly_once'; commitIntervalMs?: number };
export const ALOS: Variant = { guarantee: 'at_least_once' };
export const EOS: Variant = { guarantee: 'exactly_once' };
/** at_least_once committing as often as exactly_once does by default: what the commit interval alone costs. */
export const ALOS_100MS: Variant = { guarantee: 'at_least_once', commitIntervalMs: 100 };

const label = (v: Variant) => `${v.guarantee === 'at_least_once' ? 'ALOS' : 'EOS'}${v.commitIntervalMs === undefined ? '' : `@${v.commitIntervalMs}ms`}`;

/** The guarantees compared, in an order that reads the same both ways. */
export const BOTH_GUARANTEES: readonly Variant[] = [ALOS, EOS, EOS, ALOS];
/** The same with at_least_once committing every 100 ms in the middle. */
export const BOTH_GUARANTEES_AND_ALOS_100MS: readonly Variant[] = [ALOS, EOS, ALOS_100MS, ALOS_100MS, EOS, ALOS];

/** "ALOS 250k / EOS 240k / …": each run's rate, in the order they ran. */
export function runsInOrder(order: readonly Variant[], rates: readonly number[]): string {
  return order.map((v, i) => `${label(v)} ${Math.round(rates[i]! / 1000)}k`).join(' / ');
}

/** Mean rate of the runs of one variant. */
export function meanOf(order: readonly Variant[], rates: readonly number[], variant: Variant): number {
  const mine = rates.filter((_, i) => order[i] === variant);
  return Math.round(mine.reduce((a, b) => a + b, 0) / mine.length);
}

/**
 * An order run `times` times over. Each order the benches use reads the same forwards and backwards
 * (a steady drift of the machine's speed then cancels out of the ratios), and so does its repeat.
 * Repeats shrink the run-to-run noise in a ratio: one run of a variant here is often 10% off another.
 */
export function repeated(order: readonly Variant[], times: number): Variant[] {
  return Array.from({ length: times }, () => order).flat();
}
