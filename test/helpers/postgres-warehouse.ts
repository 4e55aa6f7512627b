import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDbWarehouse } from '../../transforms/lib/duckdb.js';
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

/**
 * Copies the raw extract tables and the load's ops tables of a DuckDB warehouse into a PostgreSQL
 * warehouse whose raw/ops tables exist (ensureRawSchema), row for row: DuckDB writes CSV, psql
 * `\copy` reads it. (The product's own Citus load is the DuckDB front end writing through the
 * engine-neutral handle; this helper only seeds the model-equivalence test.)
 */
export async function mirrorRawToPostgres(duck: DuckDbWarehouse, url: string, tables: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cq-mirror-'));
  try {
    for (const table of tables) {
      const [schema, name] = table.split('.') as [string, string];
      const cols = (
        await duck.all<{ column_name: string }>(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
          [schema, name],
        )
      ).map((c) => `"${c.column_name}"`);
      const file = join(dir, `${table}.csv`);
      await duck.exec(`COPY (SELECT ${cols.join(', ')} FROM ${table}) TO '${file}' (HEADER false)`);
      execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', `\\copy ${table} (${cols.join(', ')}) FROM '${file}' (FORMAT csv)`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
