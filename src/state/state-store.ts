import type { Serde } from '../serdes/serde.js';

/**
 * What every state store is: a named piece of a task's state. Processors reach stores with
 * `context.getStateStore(name)`. Kafka Streams equivalent: `StateStore`.
 */
export interface StateStore {
  readonly name: string;
}

/** What a store learns about the task that owns it when the engine (or test driver) opens it. */
export type StateStoreContext = {
  applicationId: string;
  taskId: string;
  partition: number;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  /** Timestamp of the record being processed (stream time inside a punctuator). */
  recordTimestamp: () => number;
};

/** Makes a fresh store instance per task. Kafka Streams equivalent: `StoreBuilder`. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  /** Whether writes go to the changelog topic `<applicationId>-<name>-changelog`. */
  readonly logging: boolean;
  /** 'level': LevelDB under stateDir (survives restarts); 'memory': restored from the changelog on start. */
  readonly kind: 'level' | 'memory';
  /** Which kind of store build() makes (interactive queries pick their view by it). */
  readonly storeType: 'keyValue' | 'window' | 'session';
  /** For windowed stores: how long the changelog keeps records (compact + delete). */
  readonly changelogRetentionMs: number | undefined;
  build(): S;
}

/** A key and its value, as scans and queries return them. */
export type KeyValue<K, V> = { readonly key: K; readonly value: V };
