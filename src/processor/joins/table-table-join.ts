import type { Change } from '../stateful/change.js';
import type { ProcessorSupplier } from '../processor.js';
import type { StreamRecord } from '../stream-record.js';
import type { TableValueGetter } from './table-value-getter.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/** Which rows a table-table join keeps: both sides present, the left one, or either. */
export type TableJoinKind = 'inner' | 'left' | 'outer';

/** The joined value of a key from both sides' values (undefined: no row), or undefined for no result row. */
export function joinedRow<K, VL, VR, VOut>(kind: TableJoinKind, joiner: ValueJoinerWithKey<K, VL | null, VR | null, VOut>, key: K, left: VL | undefined, right: VR | undefined): VOut | undefined {
  if (left === undefined && right === undefined) return undefined;
  if (kind === 'inner' && (left === undefined || right === undefined)) return undefined;
  if (kind === 'left' && left === undefined) return undefined;
  return joiner(key, left ?? null, right ?? null);
}

/**
 * One side of a table-table join: a change of this side's row is joined with the other side's
 * current row, giving the result row's new and old value. A result row that disappears (a delete
 * on either side, for an inner join) is forwarded as a delete; an update that leaves no result
 * row before or after forwards nothing. Kafka Streams: `KTableKTableJoin` and friends.
 */
export function tableTableJoin<K, VL, VR, VOut>(spec: {
  isLeft: boolean;
  kind: TableJoinKind;
  other: TableValueGetter<K, unknown>;
  joiner: ValueJoinerWithKey<K, VL | null, VR | null, VOut>;
}): ProcessorSupplier<K, Change<unknown>, K, Change<VOut>> {
  return () => {
    let other: (key: K) => unknown;
    let forward: (r: StreamRecord<K, Change<VOut>>) => void;
    const row = (key: K, mine: unknown, theirs: unknown) =>
      spec.isLeft
        ? joinedRow(spec.kind, spec.joiner, key, mine as VL | undefined, theirs as VR | undefined)
        : joinedRow(spec.kind, spec.joiner, key, theirs as VL | undefined, mine as VR | undefined);
    return {
      init: (context) => {
        other = spec.other.connect(context);
        forward = (r) => context.forward(r);
      },
      process: (record) => {
        const theirs = other(record.key);
        const newValue = row(record.key, record.value.newValue, theirs);
        const oldValue = row(record.key, record.value.oldValue, theirs);
        if (newValue === undefined && oldValue === undefined) return;
        forward(record.withValue({ newValue, oldValue }));
      },
    };
  };
}
