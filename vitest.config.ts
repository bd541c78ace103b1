import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file's form posts from this machine are counted afresh (the file says why).
    setupFiles: ['test/support/fresh-loopback-counters.ts'],
    // The integration tests share one Temporal dev server, one PostgreSQL and one SMTP sink on a 2-core
    // machine; running files one at a time keeps their timings honest.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
