import type { Serde } from '../../serdes/serde.js';
import type { Windowed } from '../../serdes/windowed.js';
import { windowedSerde } from '../../serdes/windowed-serde.js';
import type { StagedKeyValueStore } from '../../state/internals/staged-key-value-store.js';
import type { ProcessorSupplier } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';
import { SuppressBuffer } from './suppress-buffer.js';
import { SuppressBufferFullError } from './suppress-buffer-full-error.js';

/** How much a suppress buffer may hold: keys, and bytes of serialized keys and values. */
type BufferLimits = { maxRecords: number; maxBytes: number };

/** When suppress lets a key's latest change through. */
export type SuppressSpec =
  /** Once the record's window closes: stream time >= window end + grace. Keys are Windowed. Over the limits: SuppressBufferFullError. */
  | ({ kind: 'window-close'; graceMs: number } & BufferLimits)
  /** `waitMs` of stream time after the key's first buffered change; over the limits, the oldest are emitted early. */
  | ({ kind: 'time-limit'; waitMs: number } & BufferLimits);

/**
 * KTable.suppress: holds each key's changes back and forwards only the latest one when the spec
 * says so. Stream time is the largest timestamp the operator has seen (kept in its buffer store).
 */
export function suppress<K, V>(storeName: string, spec: SuppressSpec, serdes: { key: Serde<unknown> | undefined; value: Serde<V> | undefined; windowed: boolean }): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let buffer: SuppressBuffer<K, V>;
    let forward: (r: StreamRecord<K, Change<V>>) => void;
    const emit = (entries: { key: K; change: Change<V>; timestamp: number }[]) => {
      for (const e of entries) {
        if (e.change.newValue === undefined && e.change.oldValue === undefined) continue;
        forward(new StreamRecord(e.key, e.change, e.timestamp));
      }
    };
    return {
      init: (context) => {
        forward = (r) => context.forward(r);
        const store = context.getStateStore<StagedKeyValueStore<Buffer, Buffer>>(storeName);
        const inner = serdes.key ?? context.keySerde();
        const keySerde = (serdes.windowed ? windowedSerde(inner) : inner) as Serde<K>;
        buffer = new SuppressBuffer(store, keySerde, serdes.value ?? (context.valueSerde() as Serde<V>), `${context.applicationId}-${storeName}-changelog`);
      },
      process: (record) => {
        buffer.advance(record.timestamp);
        const evictAt = spec.kind === 'window-close' ? (record.key as Windowed<unknown>).window.end + spec.graceMs : record.timestamp + spec.waitMs;
        if (evictAt <= buffer.streamTime) {
          // Already due (a window that closes at once): nothing to wait for.
          emit(buffer.evict());
          emit([{ key: record.key, change: record.value, timestamp: record.timestamp }]);
          return;
        }
        buffer.put(record.key, record.value, evictAt, record.timestamp);
        if (spec.kind === 'time-limit') return emit(buffer.evict(spec));
        emit(buffer.evict());
        if (buffer.size > spec.maxRecords || buffer.bytes > spec.maxBytes) throw new SuppressBufferFullError(storeName, buffer.size, buffer.bytes, spec);
      },
    };
  };
}
