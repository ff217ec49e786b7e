import { InvalidConfigError } from './errors.js';
import type { FetchRequest, TopicPartitionOffset } from './partitioned-log.js';

/** A fetch's options with defaults applied, as every backend reads them. */
export function fetchOptions(req: FetchRequest): { maxRecords: number; readCommitted: boolean } {
  const maxRecords = req.maxRecords ?? 1000;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new InvalidConfigError('maxRecords', `expected an integer >= 1, got ${String(maxRecords)}`);
  }
  const isolation = req.isolation ?? 'read_committed';
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new InvalidConfigError('isolation', `expected "read_committed" or "read_uncommitted", got ${String(isolation)}`);
  }
  return { maxRecords, readCommitted: isolation === 'read_committed' };
}

/** The offset of a commit must be a whole number >= 0. */
export function checkCommitOffset(o: TopicPartitionOffset): void {
  if (!Number.isInteger(o.offset) || o.offset < 0) {
    throw new InvalidConfigError('offset', `offset for ${o.topic}-${o.partition} must be an integer >= 0, got ${String(o.offset)}`);
  }
}

/** A duration option: a number >= 0 (a string such as "100" is refused, not coerced). */
export function checkMilliseconds(option: string, value: unknown, hint = ''): void {
  if (typeof value !== 'number' || !(value >= 0)) throw new InvalidConfigError(option, `expected a number >= 0${hint}, got ${JSON.stringify(value) ?? String(value)}`);
}

/** An optional option that must be a function when given. */
export function checkOptionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new InvalidConfigError(option, `expected a function, got ${typeof value}`);
}

/** A folder option: a non-empty path string. */
export function checkFolderPath(option: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new InvalidConfigError(option, `expected a folder path, got ${JSON.stringify(value) ?? String(value)}`);
}
