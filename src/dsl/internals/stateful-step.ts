import type { ProcessorSupplier } from '../../processor/processor.js';
import type { StateStore, StoreBuilder } from '../../state/state-store.js';
import type { Graph } from './graph.js';

/** Adds a processor and the store it owns in one step. */
export function addStatefulProcessor(graph: Graph, name: string, supplier: ProcessorSupplier<never, never, unknown, unknown>, parent: string, store: StoreBuilder<StateStore>): void {
  graph.add((t) => {
    t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent);
    t.addStateStore(store, name);
  });
}
