import type { Serde } from '../../serdes/serde.js';
import type { SegmentedWindowStore } from '../../state/internals/segmented-window-store.js';
import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import { OuterJoinBuffer } from './outer-join-buffer.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/** A left record at t joins right records in [t - beforeMs, t + afterMs]; see JoinWindows. */
export type JoinWindowSpec = { readonly beforeMs: number; readonly afterMs: number; readonly graceMs: number };

/** One side of a stream-stream join, as the DSL wires it. */
export type StreamJoinSide<K, VL, VR, VOut> = {
  isLeft: boolean;
  /** Window store buffering this side's records (the other side's processor reads it). */
  thisStore: string;
  otherStore: string;
  /** Store of the unmatched-records buffer; set for left and outer joins. */
  outerStore: string | undefined;
  /** Whether this side's records that find no partner are emitted (with null) once their window closes. */
  outer: boolean;
  windows: JoinWindowSpec;
  joiner: ValueJoinerWithKey<K, VL | null, VR | null, VOut>;
  serdes: { key: Serde<K> | undefined; left: Serde<VL> | undefined; right: Serde<VR> | undefined };
};

/**
 * One side of a windowed stream-stream join (Kafka Streams' KStreamJoinWindow and
 * KStreamKStreamJoin in one processor): buffers the record in this side's window store, then
 * joins it with the other side's records of the same key within the window. Stream time is the
 * largest timestamp either side has seen (kept in the window stores, so it survives restarts);
 * a record whose window closed already (end + grace < stream time) is dropped and counted.
 */
export function streamStreamJoin<K, VL, VR, VOut>(side: StreamJoinSide<K, VL, VR, VOut>): ProcessorSupplier<K, unknown, K, VOut> {
  const { windows, isLeft } = side;
  // From this side's point of view: how far back and ahead the other side's records may be.
  const back = isLeft ? windows.beforeMs : windows.afterMs;
  const ahead = isLeft ? windows.afterMs : windows.beforeMs;
  return () => {
    let thisStore: SegmentedWindowStore<K, unknown>;
    let otherStore: SegmentedWindowStore<K, unknown>;
    let buffer: OuterJoinBuffer | undefined;
    let forward: (r: StreamRecord<K, VOut>) => void;
    let dropped: (reason: string) => void;
    const join = (key: K, mine: unknown, other: unknown): VOut =>
      isLeft ? side.joiner(key, mine as VL | null, other as VR | null) : side.joiner(key, other as VL | null, mine as VR | null);
    const emitClosed = (streamTime: number) => {
      if (buffer === undefined) return;
      for (const e of buffer.takeClosed(streamTime)) {
        for (const v of e.values) {
          const out = e.isLeft ? side.joiner(e.key as K, v as VL, null) : side.joiner(e.key as K, null, v as VR);
          forward(new StreamRecord(e.key as K, out, e.timestamp));
        }
      }
    };
    return {
      init: (context) => {
        thisStore = context.getStateStore(side.thisStore);
        otherStore = context.getStateStore(side.otherStore);
        forward = (r) => context.forward(r);
        dropped = context.recordDropped;
        if (side.outerStore !== undefined) {
          const store = context.getStateStore<StagedKeyValueStore<Buffer, Buffer>>(side.outerStore);
          const serdes = {
            key: (side.serdes.key ?? context.keySerde()) as Serde<unknown>,
            left: (side.serdes.left ?? context.valueSerde()) as Serde<unknown>,
            right: (side.serdes.right ?? context.valueSerde()) as Serde<unknown>,
          };
          buffer = OuterJoinBuffer.of(store, serdes, `${context.applicationId}-${side.outerStore}-changelog`, {
            left: windows.afterMs + windows.graceMs,
            right: windows.beforeMs + windows.graceMs,
          });
        }
      },
      process: (record) => {
        const { key, value, timestamp } = record;
        if (value === null || value === undefined) return dropped('null value in a stream-stream join');
        if (key === null || key === undefined) {
          // A key-less record can never meet a partner: a side that keeps unmatched records
          // emits it at once (as Kafka Streams does since 3.7), an inner side drops it.
          if (!side.outer) return dropped('null key in a stream-stream join');
          return forward(record.withValue(join(key, value, null)));
        }
        thisStore.observe(timestamp);
        const streamTime = Math.max(thisStore.observedStreamTime, otherStore.observedStreamTime);
        if (timestamp + ahead + windows.graceMs < streamTime) return dropped('record arrived after its join window closed');
        emitClosed(streamTime);
        thisStore.put(key, value, timestamp);
        const partners = otherStore.fetch(key, timestamp - back, timestamp + ahead);
        if (partners.length > 0) {
          const keyBytes = buffer === undefined ? undefined : thisStore.serializeKey(key);
          let lastRemoved = Number.NaN;
          for (const p of partners) {
            if (keyBytes !== undefined && p.key !== lastRemoved) {
              buffer!.remove(!isLeft, keyBytes, p.key);
              lastRemoved = p.key;
            }
            forward(new StreamRecord(key, join(key, value, p.value), Math.max(timestamp, p.key), record.headers));
          }
        } else if (side.outer) {
          buffer!.add(isLeft, key, thisStore.serializeKey(key), timestamp, value);
        }
      },
    };
  };
}
