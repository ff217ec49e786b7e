import type { Serde } from '../../serdes/serde.js';
import { SerializationError } from '../../serdes/serialization-error.js';
import type { Change } from './change.js';

/**
 * Bytes of a table change on a repartition topic (KTable.groupBy): for the new and then the old
 * value, a 4-byte length (-1 = none) and the inner serde's bytes.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize: (topic, change) => {
      const parts = [change.newValue, change.oldValue].map((v) => (v === undefined ? null : inner.serialize(topic, v)));
      const out = Buffer.allocUnsafe(8 + parts.reduce((n, p) => n + (p?.length ?? 0), 0));
      let at = 0;
      for (const p of parts) {
        at = out.writeInt32BE(p === null ? -1 : p.length, at);
        if (p !== null) at += p.copy(out, at);
      }
      return out;
    },
    deserialize: (topic, bytes) => {
      let at = 0;
      const next = (): V | undefined => {
        if (at + 4 > bytes.length) throw new SerializationError(`table change from topic "${topic}" is truncated`);
        const len = bytes.readInt32BE(at);
        at += 4;
        if (len < 0) return undefined;
        const v = inner.deserialize(topic, bytes.subarray(at, at + len));
        at += len;
        return v;
      };
      const newValue = next();
      return { newValue, oldValue: next() };
    },
  };
}
