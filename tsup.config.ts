import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Keeps `tributary/rxjs`'s imports of the library (`../index.js` in src/rxjs) pointing at the
 * built library beside it instead of bundling a second copy: a user's `instanceof
 * SerializationError` must hold for errors the interop raises.
 */
const libraryBeside: EsbuildPlugin = {
  name: 'library-beside',
  setup(build) {
    const file = build.initialOptions.format === 'cjs' ? './index.cjs' : './index.js';
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: file, external: true }));
  },
};

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    // import.meta.url in the CommonJS build too: stream threads start workers at the library's own file.
    shims: true,
  },
  {
    entry: { rxjs: 'src/rxjs/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    external: ['rxjs'],
    esbuildPlugins: [libraryBeside],
  },
  {
    // The `tributary` binary, one ESM file with what it uses of the library bundled in (it runs no
    // stream threads, so it needs no worker entry of its own).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);
