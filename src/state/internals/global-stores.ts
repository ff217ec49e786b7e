import { join } from 'node:path';
import type { Serde } from '../../serdes/serde.js';
import { SerializationError } from '../../serdes/serialization-error.js';
import { StateStoreError } from '../state-store-error.js';
import type { StoreBuilder } from '../state-store.js';
import type { BackingOp, BytesBacking } from './bytes-backing.js';
import { isManagedStore, type ManagedStore } from './managed-store.js';
import { MemoryBacking } from './memory-backing.js';
import type { StoreBase } from './store-base.js';
import { TaskDatabase } from './task-database.js';

/** Reads a global store's topic (the engine implements it on its log). */
export interface GlobalTopicReader {
  partitions(topic: string): Promise<number>;
  startOffset(topic: string, partition: number): Promise<number>;
  /** Committed records from `offset` as writes (null-key records left out) with their offsets; `next` = offset when caught up. */
  read(topic: string, partition: number, offset: number): Promise<{ ops: BackingOp[]; next: number; offsets: number[] }>;
}

type Global = { store: ManagedStore & StoreBase<unknown>; topic: string; offsets: BytesBacking; positions: number[]; keySerde: Serde<unknown>; valueSerde: Serde<unknown> };

/**
 * The global stores of an app instance (GlobalKTable): each holds every partition of its topic.
 * They live in `<stateDir>/<applicationId>/global/` (`global-thread-<n>/` for each stream thread of an app with several); the next offset of each partition is kept
 * beside the data and written after it, so a crash in between re-applies a few records, which
 * leaves a table the same.
 */
export class GlobalStores {
  private constructor(
    readonly stores: ReadonlyMap<string, Global>,
    private readonly database: TaskDatabase | undefined,
  ) {}

  static async open(specs: { builder: StoreBuilder; topic: string; keySerde: Serde<unknown>; valueSerde: Serde<unknown> }[], options: { applicationId: string; stateDir: string; recordTimestamp: () => number; folder?: string }): Promise<GlobalStores> {
    const database = specs.some((s) => s.builder.kind === 'level') ? await TaskDatabase.open(join(options.stateDir, options.applicationId, options.folder ?? 'global'), 'rebuild') : undefined;
    const stores = new Map<string, Global>();
    for (const spec of specs) {
      const store = spec.builder.build();
      if (!isManagedStore(store)) throw new StateStoreError(`Global store "${spec.builder.name}" is not a built-in store`);
      const persistent = spec.builder.kind === 'level';
      store.init({
        applicationId: options.applicationId,
        taskId: 'global',
        partition: -1,
        defaultKeySerde: spec.keySerde,
        defaultValueSerde: spec.valueSerde,
        recordTimestamp: options.recordTimestamp,
        backing: persistent ? database!.backing(spec.builder.name) : new MemoryBacking(),
        changelogTopic: undefined,
      });
      const offsets = persistent ? database!.backing(`${spec.builder.name}#offsets`) : new MemoryBacking();
      stores.set(spec.builder.name, { store: store as ManagedStore & StoreBase<unknown>, topic: spec.topic, offsets, positions: [], keySerde: spec.keySerde, valueSerde: spec.valueSerde });
    }
    return new GlobalStores(stores, database);
  }

  /** Loads every store up to the end of its topic before the app processes anything. */
  async bootstrap(reader: GlobalTopicReader): Promise<number> {
    let applied = 0;
    for (const g of this.stores.values()) {
      const count = await reader.partitions(g.topic);
      for (let p = 0; p < count; p++) {
        const saved = g.offsets.get(partitionKey(p));
        g.positions[p] = saved === undefined ? await reader.startOffset(g.topic, p) : Number(saved.readBigInt64BE(0));
      }
      for (;;) {
        const n = await this.pollOne(g, reader);
        applied += n;
        if (n === 0) break;
      }
      g.store.restored();
    }
    return applied;
  }

  /** Applies what arrived on the topics since the last call (one fetch per partition). */
  async poll(reader: GlobalTopicReader): Promise<number> {
    let applied = 0;
    for (const g of this.stores.values()) applied += await this.pollOne(g, reader);
    return applied;
  }

  private async pollOne(g: Global, reader: GlobalTopicReader): Promise<number> {
    let applied = 0;
    for (let p = 0; p < g.positions.length; p++) {
      const { ops, next, offsets } = await reader.read(g.topic, p, g.positions[p]!);
      if (next === g.positions[p]) continue;
      ops.forEach((op, i) => {
        // Check the bytes decode before they become the store's: a bad record fails here, with its place.
        try {
          g.keySerde.deserialize(g.topic, op.key);
          if (op.value !== null) g.valueSerde.deserialize(g.topic, op.value);
        } catch (e) {
          const where = { topic: g.topic, partition: p, offset: offsets[i]! };
          throw SerializationError.reading(e, where, `Global store "${g.store.name}" cannot decode a record`);
        }
      });
      await g.store.applyCommitted(ops);
      const offset = Buffer.alloc(8);
      offset.writeBigInt64BE(BigInt(next));
      await g.offsets.write([{ key: partitionKey(p), value: offset }], undefined);
      g.positions[p] = next;
      applied += ops.length;
    }
    return applied;
  }

  get(name: string): ManagedStore | undefined {
    return this.stores.get(name)?.store;
  }

  async close(): Promise<void> {
    for (const g of this.stores.values()) await g.store.close();
    await this.database?.close();
  }
}

function partitionKey(partition: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeUInt32BE(partition);
  return key;
}
