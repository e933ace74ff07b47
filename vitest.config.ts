import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/lab/global-setup.ts'],
    // Lab tests build namespaces and run daemons: one file at a time keeps them from fighting over the
    // 2 cores and keeps timing-sensitive VRRP scenarios honest.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
