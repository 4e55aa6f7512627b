import { defineConfig } from 'vitest/config';

// The engine-equivalence suite: the same pipeline on DuckDB and on a real PostgreSQL/Citus server
// (CQ_CITUS_URL). scripts/run-tests.ts starts a local cluster (scripts/citus-cluster.sh) when
// Citus is installed and runs this suite against it; the files share the server's one database,
// so they run one after the other.
export default defineConfig({
  test: {
    include: ['test/lib/engines/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
