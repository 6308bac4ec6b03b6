import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // One anvil for the run (test/reserves); tests inject('anvil') to reach it.
    globalSetup: ['test/setup/anvil.ts'],
  },
});
