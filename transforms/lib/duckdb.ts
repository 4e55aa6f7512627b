import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Kysely } from 'kysely';
import { DuckDbDialect } from './kysely-duckdb-dialect.js';
import type { Warehouse } from './warehouse-types.generated.js';

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

/** An open warehouse: the DuckDB instance, one connection, and a typed Kysely over it. */
export interface WarehouseHandle {
  path: string;
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  db: Kysely<Warehouse>;
  /** Runs one or more statements, discarding results. */
  exec(sql: string): Promise<void>;
  /** Runs a query and returns rows as plain JS objects (BIGINT → bigint, DECIMAL → number via DOUBLE cast is the caller's job). */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Closes the connection and the instance. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) a DuckDB warehouse file, or `:memory:`.
 *
 * @example
 * const wh = await openWarehouse('data/warehouse.duckdb');
 * const rows = await wh.all('select count(*)::INTEGER as n from raw.loans');
 * await wh.close();
 */
export async function openWarehouse(path: string, options: OpenOptions = {}): Promise<WarehouseHandle> {
  const config: Record<string, string> = {};
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.threads) config.threads = String(options.threads);
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(path, config);
  const conn = await instance.connect();
  return wrap(path, instance, conn);
}

function wrap(path: string, instance: DuckDBInstance, conn: DuckDBConnection): WarehouseHandle {
  const db = new Kysely<Warehouse>({ dialect: new DuckDbDialect({ connection: conn }) });
  return {
    path,
    instance,
    conn,
    db,
    async exec(sql) {
      await conn.run(sql);
    },
    async all<T>(sql: string, params?: unknown[]) {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as T[];
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
