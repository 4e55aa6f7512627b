import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CqError } from '../../lib/errors.js';
import { opsTableDdl } from '../../lib/ops-tables.js';
import { COMPAT_SEARCH_PATH } from '../../lib/postgres-compat.js';
import { toPostgres } from '../../lib/postgres-translate.js';
import { maskUrl, openPostgresWarehouse } from '../../lib/postgres.js';

/**
 * The site over a PostgreSQL/Citus warehouse (engine `citus`): Evidence's own Postgres source
 * (`@evidence-dev/postgres`) reads the same `sources/warehouse/*.sql` from the coordinator — the
 * marts, the KPI tables and the listed ops tables, never loan-level rows (source-sql-guard.ts) —
 * and writes the same Parquet files the DuckDB source writes; the browser never talks to the server.
 */

/**
 * Ledger tables a site source reads that only the nightly writes. The nightly runs on DuckDB only,
 * so a Citus warehouse has none: they are created empty, and the run pages say no run is recorded.
 */
export const NIGHTLY_ONLY_SOURCES: Readonly<Record<string, 'runs' | 'run_steps' | 'month_closes'>> = {
  dq_runs: 'runs',
  dq_run_steps: 'run_steps',
  month_restatements: 'month_closes',
};

/**
 * The staged `sources/warehouse/connection.yaml` for a PostgreSQL/Citus warehouse. The URL carries
 * no password (the config refuses one): `pg` takes it from PGPASSWORD or ~/.pgpass. Every
 * connection starts with the compat functions first on the search path and in UTC, as the product's
 * own connections do.
 *
 * @example
 * postgresConnectionYaml('postgres://cq@db01:5432/cq');
 * // name: warehouse
 * // type: postgres
 * // options:
 * //   connectionString: "postgres://cq@db01:5432/cq"
 * //   options: "-c search_path=cq_compat,pg_catalog,public -c TimeZone=UTC"
 */
export function postgresConnectionYaml(url: string, sourceName = 'warehouse'): string {
  const settings = `-c search_path=${COMPAT_SEARCH_PATH.replaceAll(' ', '')} -c TimeZone=UTC`;
  return [
    '# Written by the site build for the Citus engine (transforms/publish/site/postgres-source.ts).',
    `name: ${sourceName}`,
    'type: postgres',
    'options:',
    `  connectionString: ${JSON.stringify(url)}`,
    `  options: ${JSON.stringify(settings)}`,
    '',
  ].join('\n');
}

/**
 * Runs every source query of `sourceDir` on the server before Evidence does, and returns the ones
 * that may come back empty. Evidence's Postgres connector hides a failed query behind "Cannot read
 * properties of undefined" (it swallows the error of its row count), so a query that fails here
 * fails the build with PostgreSQL's own message and the file. A query that would need the
 * DuckDB→PostgreSQL translator fails too: the connector sends the text as it is. The nightly's
 * ledger tables are created empty when missing ({@link NIGHTLY_ONLY_SOURCES}).
 *
 * @example
 * await preflightPostgresSources('postgres://cq@db01:5432/cq', 'sources/warehouse');
 * // ['dq_runs', 'dq_run_steps', 'month_restatements'] (no nightly has run on this warehouse)
 */
export async function preflightPostgresSources(url: string, sourceDir: string): Promise<string[]> {
  const pg = await openPostgresWarehouse(url);
  const empty: string[] = [];
  try {
    await pg.exec(opsTableDdl(...new Set(Object.values(NIGHTLY_ONLY_SOURCES))));
    for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.sql')).sort()) {
      const name = file.slice(0, -4);
      const text = readFileSync(join(sourceDir, file), 'utf8');
      if (toPostgres(text).sql !== text) {
        throw new CqError('SITE_BUILD_FAILED', `${join(sourceDir, file)}: uses a DuckDB-only spelling (ENUM, TINYINT, DOUBLE, arg_max, median) that Evidence's Postgres source cannot send. Fix: write it in the subset both engines take (docs/operations.md, "A Citus warehouse").`, { file: join(sourceDir, file) });
      }
      let rows: number;
      try {
        const [r] = await pg.all<{ n: bigint }>(`SELECT count(*) AS n FROM (${text.replace(/;\s*$/, '')}\n) AS source_query`);
        rows = Number(r?.n ?? 0);
      } catch (e) {
        throw new CqError('SITE_BUILD_FAILED', `${join(sourceDir, file)}: fails on ${maskUrl(url)}: ${(e as Error).message}. Fix: build the warehouse first (cq transform) or correct the query.`, { file: join(sourceDir, file) }, { cause: e });
      }
      if (rows === 0 && name in NIGHTLY_ONLY_SOURCES) empty.push(name);
    }
  } finally {
    await pg.close();
  }
  return empty;
}

/** Replaces the staged source's connection.yaml with the Postgres one ({@link postgresConnectionYaml}). */
export function stagePostgresSource(stagedSourceDir: string, url: string): void {
  writeFileSync(join(stagedSourceDir, 'connection.yaml'), postgresConnectionYaml(url));
}
