import { pathToFileURL } from 'node:url';
import { Topology } from '../../../processor/topology.js';
import { TopologyError } from '../../../processor/topology-error.js';
import type { Serde } from '../../../serdes/serde.js';

/** What a topology module gives a StreamsApp: the topology, and optionally default serdes. */
export type LoadedTopology = { topology: Topology; defaultKeySerde?: Serde<unknown>; defaultValueSerde?: Serde<unknown> };

/** A module path or URL as an import specifier: file paths become file: URLs. */
export function moduleSpecifier(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z][a-z0-9+.-]*:/i.test(module) ? module : pathToFileURL(module).href;
}

/**
 * Imports a topology module: its `exportName` export is a Topology or a function (sync or async)
 * returning one. Named exports `defaultKeySerde` / `defaultValueSerde` are the app's defaults.
 */
export async function loadTopologyModule(specifier: string, exportName: string): Promise<LoadedTopology> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    throw new TopologyError(`Cannot import the topology module ${specifier}: ${(e as Error)?.message ?? String(e)}`);
  }
  // A CommonJS module comes in with module.exports as `default`: look there too.
  const cjs = mod.default !== null && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : {};
  const exported = typeof mod[exportName] === 'function' || mod[exportName] instanceof Topology ? mod[exportName] : (cjs[exportName] ?? mod[exportName]);
  const topology = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  if (!(topology instanceof Topology)) {
    throw new TopologyError(`The topology module ${specifier} must export "${exportName}" as a Topology or a function returning one (builder.build())`);
  }
  const serde = (name: string) => {
    const found = mod[name] ?? cjs[name];
    return found !== undefined ? { [name]: found as Serde<unknown> } : {};
  };
  return { topology, ...serde('defaultKeySerde'), ...serde('defaultValueSerde') };
}
