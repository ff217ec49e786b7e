import { InvalidConfigError, InvalidTopicError } from './errors.js';
import type { TopicConfig } from './partitioned-log.js';

/** A topic's settings with every default filled in. */
export type ResolvedTopicConfig = {
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number | undefined;
  retentionBytes: number | undefined;
  segmentBytes: number;
  deleteRetentionMs: number;
};

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Kafka's delete.retention.ms default: one day. */
export const DEFAULT_DELETE_RETENTION_MS = 24 * 60 * 60 * 1000;
const MAX_PARTITIONS = 10_000;

/** Kafka's rule: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..". */
export function validateTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidTopicError(String(name), 'must be a non-empty string');
  if (name.length > 249) throw new InvalidTopicError(name, 'longer than 249 characters');
  if (name === '.' || name === '..') throw new InvalidTopicError(name, '"." and ".." are reserved');
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new InvalidTopicError(name, 'only letters, digits, ".", "_" and "-" are allowed');
}

function positiveInteger(option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidConfigError(option, `expected an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

function optionalPositive(option: string, value: unknown): number | undefined {
  return value === undefined ? undefined : positiveInteger(option, value);
}

export function resolveTopicConfig(config: TopicConfig = {}): ResolvedTopicConfig {
  const policy = config.cleanupPolicy ?? 'delete';
  if (policy !== 'delete' && policy !== 'compact') {
    throw new InvalidConfigError('cleanupPolicy', `expected "delete" or "compact", got ${String(policy)}`);
  }
  const segmentBytes = positiveInteger('segmentBytes', config.segmentBytes ?? DEFAULT_SEGMENT_BYTES, 2 ** 31);
  if (segmentBytes < 1024) throw new InvalidConfigError('segmentBytes', `must be at least 1024, got ${segmentBytes}`);
  const deleteRetentionMs = config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
  if (typeof deleteRetentionMs !== 'number' || !Number.isInteger(deleteRetentionMs) || deleteRetentionMs < 0) {
    throw new InvalidConfigError('deleteRetentionMs', `expected an integer >= 0, got ${String(deleteRetentionMs)}`);
  }
  return {
    partitions: positiveInteger('partitions', config.partitions ?? 1, MAX_PARTITIONS),
    cleanupPolicy: policy,
    retentionMs: optionalPositive('retentionMs', config.retentionMs),
    retentionBytes: optionalPositive('retentionBytes', config.retentionBytes),
    segmentBytes,
    deleteRetentionMs,
  };
}

/** The config as describeTopic reports it: what the user set, plus the defaults in force. */
export function describeConfig(c: ResolvedTopicConfig): TopicConfig {
  const out: TopicConfig = {
    partitions: c.partitions,
    cleanupPolicy: c.cleanupPolicy,
    segmentBytes: c.segmentBytes,
    deleteRetentionMs: c.deleteRetentionMs,
  };
  if (c.retentionMs !== undefined) out.retentionMs = c.retentionMs;
  if (c.retentionBytes !== undefined) out.retentionBytes = c.retentionBytes;
  return out;
}
