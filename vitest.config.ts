import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end suites bind 127.0.0.x ports and spawn clients: keep files from
    // fighting over the two cores of a CI machine.
    maxWorkers: 2,
  },
});
