import type { Serde } from '../serdes/serde.js';
import { InvalidStoreOptionsError } from './invalid-store-options-error.js';
import { SegmentedSessionStore } from './internals/segmented-session-store.js';
import { SegmentedWindowStore } from './internals/segmented-window-store.js';
import { StagedKeyValueStore } from './internals/staged-key-value-store.js';
import type { KeyValueStore } from './key-value-store.js';
import type { SessionStore } from './session-store.js';
import type { StateStore, StoreBuilder } from './state-store.js';
import type { WindowStore } from './window-store.js';

/** Options every store takes. Defaults: LevelDB, logged to a changelog, caching on. */
export type StoreOptions<K, V> = {
  readonly name: string;
  /** 'level' (default): LevelDB under stateDir. 'memory': kept in memory, restored from the changelog on start. */
  readonly store?: 'level' | 'memory';
  /** Write every change to `<applicationId>-<name>-changelog` (default true). */
  readonly logging?: boolean;
  /** Coalesce updates per key between commits before forwarding them (default true). */
  readonly caching?: boolean;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
};

export type WindowStoreOptions<K, V> = StoreOptions<K, V> & {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every put, several per window start (join buffers). Default false. */
  readonly retainDuplicates?: boolean;
};

export type SessionStoreOptions<K, V> = StoreOptions<K, V> & { readonly retentionMs: number };

/** Kafka Streams keeps windowed changelogs one day longer than the store (windowstore.changelog.additional.retention.ms). */
const CHANGELOG_EXTRA_RETENTION_MS = 24 * 60 * 60 * 1000;

function checkName(name: unknown): void {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new InvalidStoreOptionsError(String(name), 'name', 'must be letters, digits, ".", "_" or "-" (it names the changelog topic)');
  }
}

function checkDuration(store: string, option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidStoreOptionsError(store, option, `expected an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function builder<S extends StateStore>(storeType: StoreBuilder['storeType'], options: StoreOptions<unknown, unknown>, changelogRetentionMs: number | undefined, build: () => S): StoreBuilder<S> {
  checkName(options.name);
  const kind = options.store ?? 'level';
  if (kind !== 'level' && kind !== 'memory') throw new InvalidStoreOptionsError(options.name, 'store', `expected "level" or "memory", got ${String(kind)}`);
  return { name: options.name, logging: options.logging ?? true, kind, storeType, changelogRetentionMs, build };
}

function serdes<K, V>(o: StoreOptions<K, V>) {
  return { keySerde: o.keySerde, valueSerde: o.valueSerde };
}

/**
 * Builders of the built-in state stores, for the Processor API (`topology.addStateStore`) and
 * `KStream.process`. The DSL makes its own stores from operator options.
 *
 * @example
 * topology.addStateStore(Stores.keyValueStore({ name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.int64() }), 'counter');
 */
export const Stores = {
  keyValueStore<K, V>(options: StoreOptions<K, V>): StoreBuilder<KeyValueStore<K, V>> {
    return builder('keyValue', options, undefined, () => new StagedKeyValueStore<K, V>(options.name, serdes(options), options.caching ?? true));
  },

  windowStore<K, V>(options: WindowStoreOptions<K, V>): StoreBuilder<WindowStore<K, V>> {
    const retention = checkDuration(options.name, 'retentionMs', options.retentionMs, 1);
    const size = checkDuration(options.name, 'windowSizeMs', options.windowSizeMs, 0);
    return builder('window', options, retention + CHANGELOG_EXTRA_RETENTION_MS, () => new SegmentedWindowStore<K, V>(options.name, serdes(options), retention, size, options.retainDuplicates ?? false, options.caching ?? true));
  },

  sessionStore<K, V>(options: SessionStoreOptions<K, V>): StoreBuilder<SessionStore<K, V>> {
    const retention = checkDuration(options.name, 'retentionMs', options.retentionMs, 1);
    return builder('session', options, retention + CHANGELOG_EXTRA_RETENTION_MS, () => new SegmentedSessionStore<K, V>(options.name, serdes(options), retention, options.caching ?? true));
  },
} as const;
