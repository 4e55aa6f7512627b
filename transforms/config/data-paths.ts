import { join, resolve } from 'node:path';

/** Paths derived from the data folder. */
export interface NightlyPaths {
  dataDir: string;
  /** The published warehouse: replaced only by an atomic rename. */
  warehouse: string;
  /** The published site: a symlink swapped atomically to `sites/<run-id>`. */
  site: string;
  sitesDir: string;
  workDir: string;
  runsDir: string;
  ledger: string;
  status: string;
  lock: string;
  logsDir: string;
  exportsDir: string;
}

/** File name of the warehouse inside the data folder. */
export const WAREHOUSE_FILE = 'warehouse.duckdb';

/**
 * The warehouse every command opens unless told otherwise (`--warehouse`): `<dataDir>/warehouse.duckdb`,
 * relative when `dataDir` is (so messages show the path as configured).
 *
 * @example
 * warehousePath('data');          // 'data/warehouse.duckdb'
 * warehousePath('/srv/cq/data');  // '/srv/cq/data/warehouse.duckdb'
 */
export function warehousePath(dataDir: string): string {
  return join(dataDir, WAREHOUSE_FILE);
}

/** File name of the DuckDB front end of engine `citus` (the checked raw history; docs/operations.md). */
export const LANDING_FILE = 'landing.duckdb';

/**
 * Engine `citus`: the DuckDB file in which `cq load` checks the extracts before copying each date to
 * the server — it keeps the raw history that the key checks (duplicates across dates, references)
 * read.
 *
 * @example
 * landingPath('data'); // 'data/landing.duckdb'
 */
export function landingPath(dataDir: string): string {
  return join(dataDir, LANDING_FILE);
}

/** Derives every path of the nightly job from the data folder. @example nightlyPaths('data').warehouse // '/abs/data/warehouse.duckdb' */
export function nightlyPaths(dataDir: string): NightlyPaths {
  const d = resolve(dataDir);
  return {
    dataDir: d,
    warehouse: join(d, WAREHOUSE_FILE),
    site: join(d, 'site'),
    sitesDir: join(d, 'sites'),
    workDir: join(d, 'work'),
    runsDir: join(d, 'runs'),
    ledger: join(d, 'runs', 'ledger.ndjson'),
    status: join(d, 'status.json'),
    lock: join(d, 'nightly.lock'),
    logsDir: join(d, 'logs'),
    exportsDir: join(d, 'exports'),
  };
}
