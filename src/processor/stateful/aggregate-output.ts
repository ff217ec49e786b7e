import type { StoreBase } from '../../state/internals/store-base.js';
import type { ProcessorContext } from '../processor.js';
import { StreamRecord } from '../stream-record.js';
import type { Change } from './change.js';
import { HeldResults } from './held-results.js';

/**
 * Where an aggregation sends its results: straight on (caching off), or held per key until the
 * task commits (caching on, the default), as Kafka Streams' cached stores do.
 */
export class AggregateOutput<K, V> {
  private readonly held: HeldResults<K, V> | undefined;

  constructor(
    private readonly context: ProcessorContext<K, Change<V>>,
    store: StoreBase<unknown>,
  ) {
    if (store.caching) {
      const held = new HeldResults<K, V>();
      this.held = held;
      store.onFlush(() => held.flush(context));
    }
  }

  /** As send, but builds the key (`key(arg, part)`) only when it is needed: a held key just takes the new value. */
  sendLazy<A>(id: string, part: number, key: (arg: A, part: number) => K, arg: A, newValue: V | undefined, oldValue: V | undefined, timestamp: number): void {
    if (this.held !== undefined) this.held.holdLazy(id, part, key, arg, newValue, oldValue, timestamp);
    else this.send(id, key(arg, part), newValue, oldValue, timestamp, part);
  }

  /** `id` and `part` (e.g. a window start) together name the key whose updates coalesce. */
  send(id: string, key: K, newValue: V | undefined, oldValue: V | undefined, timestamp: number, part = 0): void {
    if (this.held !== undefined) this.held.hold(id, key, newValue, oldValue, timestamp, part);
    else this.context.forward(new StreamRecord(key, { newValue, oldValue }, timestamp));
  }
}
