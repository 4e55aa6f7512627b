import { openWarehouse } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
import { openPostgresWarehouse, type PostgresWarehouse } from '../lib/postgres.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import type { NightlyConfig } from './config.js';
import { warehousePath } from './data-paths.js';

/**
 * The warehouse a command works on, by the config's `engine`: the DuckDB file (`--warehouse FILE`,
 * else `<dataDir>/warehouse.duckdb`) with the config's memory limit and threads, or — engine `citus`
 * and no `--warehouse` — the PostgreSQL/Citus server at `citusUrl`. A `--warehouse FILE` always
 * names a DuckDB file, whatever the engine.
 *
 * @example
 * const wh = await openEngineWarehouse(loadConfig(), {});            // data/warehouse.duckdb, or the Citus coordinator
 * const f = await openEngineWarehouse(config, { warehouse: 'x.duckdb' }); // that file
 */
export async function openEngineWarehouse(
  config: NightlyConfig,
  options: { warehouse?: string | undefined; memoryLimit?: string | undefined; threads?: number | undefined },
): Promise<WarehouseHandle> {
  if (config.engine === 'citus' && options.warehouse === undefined) return openCitusWarehouse(config);
  const threads = options.threads ?? config.threads;
  return openWarehouse(options.warehouse ?? warehousePath(config.dataDir), {
    memoryLimit: options.memoryLimit ?? config.memoryLimit,
    ...(threads ? { threads } : {}),
  });
}

/**
 * The PostgreSQL/Citus warehouse of a config whose engine is `citus` (its `citusUrl`).
 *
 * @example
 * const pg = await openCitusWarehouse(config); // postgres://cq@db01:5432/cq
 */
export async function openCitusWarehouse(config: NightlyConfig): Promise<PostgresWarehouse> {
  return openPostgresWarehouse(citusUrlOf(config));
}

/**
 * The coordinator URL of a config whose engine is `citus` (CLI_USAGE otherwise).
 *
 * @example
 * citusUrlOf(config); // 'postgres://cq@db01:5432/cq'
 */
export function citusUrlOf(config: NightlyConfig): string {
  if (config.engine !== 'citus' || !config.citusUrl) throw new CqError('CLI_USAGE', 'the config does not name a Citus warehouse. Fix: set "engine": "citus" and "citusUrl" in cq.config.json (docs/operations.md, "A Citus warehouse").');
  return config.citusUrl;
}

/**
 * The DuckDB warehouse file of the config (`<dataDir>/warehouse.duckdb`) for a command that runs on
 * DuckDB only: refused (ENGINE_UNSUPPORTED) when the config's engine is `citus`.
 *
 * @example
 * duckDbWarehouseFile(loadConfig(), 'cq sql'); // 'data/warehouse.duckdb'
 */
export function duckDbWarehouseFile(config: NightlyConfig, command: string): string {
  requireDuckDbEngine(config, command, undefined);
  return warehousePath(config.dataDir);
}

/**
 * Refuses a command that does not run on the Citus engine yet (ENGINE_UNSUPPORTED), naming what to
 * use instead; a `--warehouse FILE` (a DuckDB file) is always allowed.
 *
 * @example
 * requireDuckDbEngine(config, 'cq nightly', undefined); // throws with engine "citus"
 */
export function requireDuckDbEngine(config: NightlyConfig, command: string, warehouseFlag: string | undefined): void {
  if (config.engine !== 'citus' || warehouseFlag !== undefined) return;
  throw new CqError(
    'ENGINE_UNSUPPORTED',
    `${command} does not run on the Citus engine yet (the config sets "engine": "citus"). Fix: on Citus run cq load, cq transform, cq export and cq site:build (docs/operations.md, "A Citus warehouse"), or pass --warehouse FILE to work on a DuckDB warehouse.`,
  );
}
