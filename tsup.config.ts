import { defineConfig } from 'tsup';

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
    // The `tributary` binary, one ESM file with what it uses of the library bundled in (it runs no
    // stream threads, so it needs no worker entry of its own).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);
