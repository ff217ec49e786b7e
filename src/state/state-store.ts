/**
 * What every state store offers the runtime. Kafka Streams equivalent: `StateStore`.
 * Concrete stores (key-value, window, session; LevelDB and in-memory) build on this.
 */
export interface StateStore {
  readonly name: string;
  /** Called once before the first record of the task that owns the store. */
  init(context: StateStoreContext): void | Promise<void>;
  /** Makes buffered writes durable; called on commit. */
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
}

/** What a store learns about the task that owns it. */
export type StateStoreContext = {
  applicationId: string;
  taskId: string;
  partition: number;
};

/** Makes a fresh store instance per task. Kafka Streams equivalent: `StoreBuilder`. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  build(): S;
}
