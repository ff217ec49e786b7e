import { TopologyError } from '../../processor/topology-error.js';

/** A window option in ms: an integer >= `min`, or a TopologyError naming the option. */
export function duration(what: string, ms: unknown, min = 0): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < min) throw new TopologyError(`${what} must be an integer number of ms >= ${min}, got ${String(ms)}`);
  return ms;
}
