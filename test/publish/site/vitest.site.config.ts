// Vitest config for the report-site tests (browser + PII scan) only:
//   SITE_DIR=/tmp/site npx vitest run --config test/publish/site/vitest.site.config.ts
// Tests run one file at a time in a forked process: the browser test starts Chromium and a server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/publish/site/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
