import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run separately (npm run test:scale-out): see the note at the top of that folder's test.
    exclude: ['**/node_modules/**', 'test/kafka-manual/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['./test/kafka/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
