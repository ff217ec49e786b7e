import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['./test/kafka/global-setup.ts'],
    setupFiles: ['./test/helpers/fast-check-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
