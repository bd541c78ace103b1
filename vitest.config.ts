import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // The integration tests share one Temporal dev server, one PostgreSQL and one SMTP sink on a 2-core
    // machine; running files one at a time keeps their timings honest.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
