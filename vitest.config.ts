import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Three test files at a time on two cores: most of a file's time is PostgreSQL, Cube or Chromium
    // working in other processes, and two workers left the cores idle while they waited (the fresh-clone
    // suite took 759 s with two, 614 s with three, all passing).
    maxWorkers: 3,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
