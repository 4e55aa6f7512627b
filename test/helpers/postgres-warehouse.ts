import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';

/**
 * The PostgreSQL/Citus server of the engine-equivalence suite: `CQ_CITUS_URL`, set by
 * scripts/run-tests.ts after it started a local cluster (scripts/citus-cluster.sh).
 */
export function citusUrl(): string | undefined {
  return process.env.CQ_CITUS_URL || undefined;
}

/** Why the suite is skipped without a server, and how to enable it. */
export const SKIP_REASON =
  'no CQ_CITUS_URL: install PostgreSQL 15 + Citus 13 (docs/operations.md, "A Citus warehouse") and run npm test, or start one with scripts/citus-cluster.sh and set CQ_CITUS_URL';

/** Drops the warehouse schemas of the suite's database (each test file starts from nothing). */
export async function resetPostgresWarehouse(pg: WarehouseHandle): Promise<void> {
  for (const s of ['metrics', 'marts', 'core', 'staging', 'raw', 'ops']) await pg.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
}
