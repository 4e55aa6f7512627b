import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CqError } from '../../lib/errors.js';
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
 * Runs every source query of `sourceDir` on the server before Evidence does. Evidence's Postgres
 * connector hides a failed query behind "Cannot read properties of undefined" (it swallows the
 * error of its row count), so a query that fails here fails the build with PostgreSQL's own
 * message and the file. A query that would need the DuckDB→PostgreSQL translator fails too: the
 * connector sends the text as it is. (The run pages read `ops.runs`, which `cq transform` writes
 * on this engine: record-transform-run.ts.)
 *
 * @example
 * await preflightPostgresSources('postgres://cq@db01:5432/cq', 'sources/warehouse');
 * // throws SITE_BUILD_FAILED "sources/warehouse/dq_runs.sql: fails on postgres://cq@db01:5432/cq: relation "ops.runs" does not exist. …"
 */
export async function preflightPostgresSources(url: string, sourceDir: string): Promise<void> {
  const pg = await openPostgresWarehouse(url);
  try {
    for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.sql')).sort()) {
      const path = join(sourceDir, file);
      const text = readFileSync(path, 'utf8');
      if (toPostgres(text).sql !== text) {
        throw new CqError('SITE_BUILD_FAILED', `${path}: uses a DuckDB-only spelling (ENUM, TINYINT, DOUBLE, arg_max, median) that Evidence's Postgres source cannot send. Fix: write it in the subset both engines take (docs/operations.md, "A Citus warehouse").`, { file: path });
      }
      try {
        await pg.all(`SELECT count(*) AS n FROM (${text.replace(/;\s*$/, '')}\n) AS source_query`);
      } catch (e) {
        throw new CqError('SITE_BUILD_FAILED', `${path}: fails on ${maskUrl(url)}: ${(e as Error).message}. Fix: build the warehouse first (cq load, then cq transform) or correct the query.`, { file: path }, { cause: e });
      }
    }
  } finally {
    await pg.close();
  }
}

/** Replaces the staged source's connection.yaml with the Postgres one ({@link postgresConnectionYaml}). */
export function stagePostgresSource(stagedSourceDir: string, url: string): void {
  writeFileSync(join(stagedSourceDir, 'connection.yaml'), postgresConnectionYaml(url));
}
