import { defineConfig } from 'vitest/config';
import DemoLastSequencer from './test/support/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    // Files that need the demo warehouse run last, while the global setup builds it.
    sequence: { sequencer: DemoLastSequencer },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
