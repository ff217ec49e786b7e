import { join } from 'node:path';
import type { Serde } from '../../serdes/serde.js';
import { StateStoreError } from '../state-store-error.js';
import type { StateStore, StoreBuilder } from '../state-store.js';
import type { BackingOp } from './bytes-backing.js';
import { isManagedStore, type ManagedStore } from './managed-store.js';
import { MemoryBacking } from './memory-backing.js';
import { TaskDatabase } from './task-database.js';

/** Reads a changelog partition for restoration (the engine implements it on its log). */
export interface ChangelogReader {
  /** Offsets of the partition: first readable and end (next to be written). */
  bounds(topic: string, partition: number): Promise<{ start: number; end: number }>;
  /** Records from `offset` (committed ones only); empty once caught up. */
  read(topic: string, partition: number, offset: number): Promise<{ ops: BackingOp[]; next: number }>;
}

/** The changelog records one store's commit must write (one per changed key), in order. */
export type ChangelogWrites = { store: string; topic: string; partition: number; ops: readonly BackingOp[] };

export type TaskStoresOptions = {
  applicationId: string;
  taskId: string;
  partition: number;
  /** Root of LevelDB stores; the task's database is `<stateDir>/<applicationId>/<taskId>`. */
  stateDir: string;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  recordTimestamp: () => number;
  /** Real changelog topic name of a store. */
  changelogTopic: (store: string) => string;
};

/** The state stores of one task: opened, restored, committed and closed together. */
export class TaskStores {
  private constructor(
    readonly stores: ReadonlyMap<string, ManagedStore>,
    private readonly logged: ReadonlyMap<string, string>,
    private readonly database: TaskDatabase | undefined,
    private readonly partition: number,
  ) {}

  static async open(builders: StoreBuilder[], options: TaskStoresOptions): Promise<TaskStores> {
    const persistent = builders.some((b) => b.kind === 'level');
    // A damaged database is rebuilt only if every store in it restores from a changelog.
    const onDamage = builders.every((b) => b.kind !== 'level' || b.logging) ? 'rebuild' : 'fail';
    const database = persistent ? await TaskDatabase.open(join(options.stateDir, options.applicationId, options.taskId), onDamage) : undefined;
    const stores = new Map<string, ManagedStore>();
    const logged = new Map<string, string>();
    try {
      for (const b of builders) {
        const store: StateStore = b.build();
        if (!isManagedStore(store)) throw new StateStoreError(`Store "${b.name}" is not a built-in store; make stores with Stores.keyValueStore/windowStore/sessionStore`);
        const changelogTopic = b.logging ? options.changelogTopic(b.name) : undefined;
        if (changelogTopic !== undefined) logged.set(b.name, changelogTopic);
        store.init({
          applicationId: options.applicationId,
          taskId: options.taskId,
          partition: options.partition,
          defaultKeySerde: options.defaultKeySerde,
          defaultValueSerde: options.defaultValueSerde,
          recordTimestamp: options.recordTimestamp,
          backing: b.kind === 'level' ? database!.backing(b.name) : new MemoryBacking(),
          changelogTopic,
        });
        stores.set(b.name, store);
      }
    } catch (e) {
      await database?.close();
      throw e;
    }
    return new TaskStores(stores, logged, database, options.partition);
  }

  /**
   * Brings every logged store up to its changelog's end, from the offset its contents reflect.
   * A store without a checkpoint, or one ahead of its changelog (the topic was recreated), is
   * emptied and restored from the start. Returns the number of records applied.
   */
  async restore(reader: ChangelogReader): Promise<number> {
    let applied = 0;
    for (const [name, store] of this.stores) {
      const topic = this.logged.get(name);
      if (topic !== undefined) applied += await this.restoreOne(store, topic, reader);
      store.restored();
    }
    return applied;
  }

  private async restoreOne(store: ManagedStore, topic: string, reader: ChangelogReader): Promise<number> {
    const { start, end } = await reader.bounds(topic, this.partition);
    let offset = store.checkpoint;
    if (offset === undefined || offset > end) {
      await store.wipe();
      offset = start;
    }
    offset = Math.max(offset, start);
    let applied = 0;
    for (;;) {
      const { ops, next } = await reader.read(topic, this.partition, offset);
      if (ops.length === 0 && next <= offset) break;
      await store.restore(ops, next);
      applied += ops.length;
      offset = next;
    }
    return applied;
  }

  get(name: string): ManagedStore | undefined {
    return this.stores.get(name);
  }

  /** Keys staged across the task's stores since the last commit. */
  get stagedCount(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.stagedCount;
    return n;
  }

  /** Writes to the task's stores since the last commit, each key counted as often as it was written. */
  get stagedWrites(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.stagedWrites;
    return n;
  }

  /**
   * Lets caching stores forward what they held back. Forwarded records may update stores further
   * down the topology, so this repeats until nothing more is forwarded.
   */
  flushCaches(): void {
    for (let round = 0; round < 100; round++) {
      let forwarded = 0;
      for (const s of this.stores.values()) forwarded += s.flushCache();
      if (forwarded === 0) return;
    }
    throw new StateStoreError('Cache flushes kept forwarding records after 100 rounds; do two caching stores feed each other?');
  }

  /** The changelog records of this commit, per logged store that changed (one per key changed). */
  prepareCommit(): ChangelogWrites[] {
    const out: ChangelogWrites[] = [];
    for (const [name, store] of this.stores) {
      const ops = store.prepareCommit();
      const topic = this.logged.get(name);
      if (topic !== undefined && ops.length > 0) out.push({ store: name, topic, partition: this.partition, ops });
    }
    return out;
  }

  /** The commit succeeded; `checkpoints` has the next changelog offset of each store that wrote. */
  async commit(checkpoints: ReadonlyMap<string, number>): Promise<void> {
    for (const [name, store] of this.stores) await store.commit(checkpoints.get(name));
  }

  discard(): void {
    for (const store of this.stores.values()) store.discard();
  }

  async close(): Promise<void> {
    for (const store of this.stores.values()) await store.close();
    await this.database?.close();
  }
}
