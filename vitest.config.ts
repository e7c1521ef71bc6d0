import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests start real processes (munin-run, munin-node); two cores are all CI has.
    maxWorkers: 2,
  },
});
