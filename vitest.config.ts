import { defineConfig } from 'vitest/config';

// Unit and integration tests (real DuckDB). The browser tests of the built site live in
// test/publish/site/ and run through scripts/run-tests.ts after one site build; the engine-equivalence
// suite (test/lib/engines/, a PostgreSQL/Citus server) runs there as its own stage.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/publish/site/**', 'test/lib/engines/**', 'node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
