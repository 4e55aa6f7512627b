import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';

/**
 * A separate in-memory DuckDB instance in which every piece of SQL a mapping contributes runs
 * (expressions, code-table checks, the compiled entity queries), so that it cannot reach the
 * host even if the expression grammar (expression-grammar.ts) had a hole:
 *
 * - `enable_external_access = false`: no file, network, extension or ATTACH access, except the
 *   one folder `dir` (`allowed_directories`), a private folder of the load that holds only the
 *   Parquet copies of the staged delivery data going in and the mapped rows coming out;
 * - `lock_configuration = true`: the settings cannot be changed back by any later statement;
 * - both are set right after the instance is created, before any statement that carries mapping
 *   text. (DuckDB cannot re-enable external access, so the warehouse's own connection, which still
 *   has to read native extracts, cannot be locked down instead.)
 *
 * Data moves through Parquet files in `dir`: the warehouse writes staged source tables, the
 * sandbox reads them into in-memory tables, evaluates, and writes the results, which the
 * warehouse reads back (loader-generated SQL only).
 *
 * @example
 * const sandbox = await openMappingSandbox('/tmp/cq-map-x/sandbox', wh);
 * await copyTableToSandbox(wh, sandbox, '_map_src_0');
 * await sandbox.copyToParquet(`SELECT upper(s."a") FROM _map_src_0 s`, 'rel-0');
 * // SQL in the sandbox: COPY (SELECT upper(s."a") FROM _map_src_0 s) TO '/tmp/cq-map-x/sandbox/rel-0.parquet' (FORMAT parquet)
 * sandbox.close();
 */
export interface MappingSandbox {
  /** The only folder the sandbox may read and write. */
  readonly dir: string;
  exec(sql: string): Promise<void>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `query` in the sandbox and writes its rows to `<dir>/<name>.parquet`; returns that path. */
  copyToParquet(query: string, name: string): Promise<string>;
  close(): void;
}

/**
 * Opens a mapping sandbox over folder `dir` (created; it should be private to this load), with
 * the warehouse's memory limit and threads when `like` is given.
 *
 * @example
 * const sandbox = await openMappingSandbox(join(tempDir, 'sandbox'), wh);
 * // SET temp_directory = '<dir>/spill'; SET allowed_directories = ['<dir>/'];
 * // SET enable_external_access = false; SET lock_configuration = true;
 */
export async function openMappingSandbox(dir: string, like?: Pick<WarehouseHandle, 'all'>): Promise<MappingSandbox> {
  mkdirSync(join(dir, 'spill'), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  let conn: DuckDBConnection | undefined;
  try {
    conn = await instance.connect();
    const settings: string[] = [];
    if (like) {
      const [s] = await like.all<{ m: string; t: bigint | number }>(`SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t`);
      if (s) settings.push(`SET memory_limit = ${lit(String(s.m))}`, `SET threads = ${Number(s.t)}`);
    }
    await conn.run(
      [
        ...settings,
        `SET temp_directory = ${lit(join(dir, 'spill'))}`,
        `SET allowed_directories = [${lit(`${dir}/`)}]`,
        'SET autoinstall_known_extensions = false',
        'SET autoload_known_extensions = false',
        'SET enable_external_access = false',
        'SET lock_configuration = true',
      ].join('; '),
    );
  } catch (e) {
    conn?.closeSync();
    instance.closeSync();
    throw e;
  }
  const c = conn;
  return {
    dir,
    async exec(sql) {
      await c.run(sql);
    },
    async all<T>(sql: string, params?: unknown[]) {
      const reader = await c.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as T[];
    },
    async copyToParquet(query, name) {
      const path = join(dir, `${name}.parquet`);
      await c.run(`COPY (${query}) TO ${lit(path)} (FORMAT parquet)`);
      return path;
    },
    close() {
      c.closeSync();
      instance.closeSync();
      rmSync(join(dir, 'spill'), { recursive: true, force: true });
    },
  };
}

/**
 * Copies a (temp) table of the warehouse into the sandbox under the same name, through a Parquet
 * file in the sandbox folder (removed afterwards). Only data crosses: no mapping text runs in the
 * warehouse.
 *
 * @example
 * await copyTableToSandbox(wh, sandbox, '_map_src_0');
 * // warehouse: COPY (SELECT * FROM "_map_src_0") TO '<dir>/in-_map_src_0.parquet' (FORMAT parquet)
 * // sandbox:   CREATE OR REPLACE TABLE "_map_src_0" AS SELECT * FROM read_parquet('<dir>/in-_map_src_0.parquet')
 */
export async function copyTableToSandbox(wh: Pick<WarehouseHandle, 'exec'>, sandbox: MappingSandbox, table: string): Promise<void> {
  const path = join(sandbox.dir, `in-${table}.parquet`);
  await wh.exec(`COPY (SELECT * FROM ${q(table)}) TO ${lit(path)} (FORMAT parquet)`);
  try {
    await sandbox.exec(`CREATE OR REPLACE TABLE ${q(table)} AS SELECT * FROM read_parquet(${lit(path)})`);
  } finally {
    rmSync(path, { force: true });
  }
}
