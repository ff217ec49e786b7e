import { TopologyError } from '../../processor/topology-error.js';

/** A count option (partitions, buffer bounds): an integer >= 1, or a TopologyError naming the option. */
export function integerAtLeastOne(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new TopologyError(`${what} must be an integer >= 1, got ${String(value)}`);
  return value;
}
