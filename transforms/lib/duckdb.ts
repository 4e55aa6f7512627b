import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Kysely } from 'kysely';
import { DuckDbDialect } from './kysely-duckdb-dialect.js';
import type { Warehouse } from './warehouse-types.generated.js';
import type { WarehouseHandle } from './warehouse-handle.js';

/** Options for {@link openWarehouse}. */
export interface OpenOptions {
  /** Open read-only (analysts, the report build). Default false. */
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '3GB'. Large steps spill to `tempDirectory` beyond it. */
  memoryLimit?: string;
  /** DuckDB threads. Default: DuckDB's own (cores). */
  threads?: number;
  /** Where DuckDB spills. Default: DuckDB's own (`<db>.tmp`). */
  tempDirectory?: string;
}

/**
 * An open DuckDB warehouse: the engine-neutral handle plus the DuckDB instance and its one
 * connection, for the DuckDB-only parts (the load's CSV/Parquet front end, the SQL console, the
 * sample generator).
 */
export interface DuckDbWarehouse extends WarehouseHandle {
  readonly engine: 'duckdb';
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
}

/**
 * Opens (creating if needed) a DuckDB warehouse file, or `:memory:`.
 *
 * @example
 * const wh = await openWarehouse('data/warehouse.duckdb');
 * const rows = await wh.all('select count(*)::INTEGER as n from raw.loans');
 * await wh.close();
 */
export async function openWarehouse(path: string, options: OpenOptions = {}): Promise<DuckDbWarehouse> {
  const config: Record<string, string> = {};
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.memoryLimit) {
    config.memory_limit = options.memoryLimit;
    // What DuckDB frees goes back to the system sooner (jemalloc keeps freed pages otherwise): a
    // bounded step's RSS runs above memory_limit by what the allocator retains (docs/operations.md,
    // "One node within 3 GB").
    config.allocator_background_threads = 'true';
    config.allocator_flush_threshold = '32MB';
  }
  if (options.threads) config.threads = String(options.threads);
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(path, config);
  const conn = await instance.connect();
  return wrap(path, instance, conn);
}

function wrap(path: string, instance: DuckDBInstance, conn: DuckDBConnection): DuckDbWarehouse {
  const db = new Kysely<Warehouse>({ dialect: new DuckDbDialect({ connection: conn }) });
  return {
    engine: 'duckdb',
    path,
    instance,
    conn,
    db,
    async exec(sql) {
      await conn.run(sql);
    },
    async run(sql, params) {
      await conn.run(sql, params as never);
    },
    async all<T>(sql: string, params?: readonly unknown[]) {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as T[];
    },
    async columns(sql) {
      const reader = await conn.runAndReadAll(`DESCRIBE ${sql}`);
      return (reader.getRowObjectsJS() as { column_name: string }[]).map((r) => r.column_name);
    },
    async close() {
      await db.destroy();
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Quotes an SQL identifier. @example quoteIdent('raw') // '"raw"' */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal. @example quoteLiteral("it's") // "'it''s'" */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
