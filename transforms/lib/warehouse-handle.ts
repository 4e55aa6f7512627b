import type { Kysely } from 'kysely';
import type { Warehouse } from './warehouse-types.generated.js';

/**
 * The warehouse engines: the embedded DuckDB file (the default) or a PostgreSQL server — plain
 * PostgreSQL 15, or a Citus cluster's coordinator (docs/operations.md, "A Citus warehouse").
 */
export type Engine = 'duckdb' | 'postgres';

/**
 * An open warehouse, whatever the engine: what the models, the KPI engine, the data tests and the
 * exports need. SQL passed here must be in the subset both engines accept (`$1` placeholders,
 * `INTERVAL '1 month'`, `DOUBLE PRECISION`, aliased subqueries, no `GROUP BY ALL`); where the
 * engines must differ, the difference lives in the PostgreSQL side's two dialect modules
 * (`postgres-compat.ts`: DuckDB's functions; `postgres-translate.ts`: the spellings rewritten).
 *
 * @example
 * const [{ n }] = await wh.all<{ n: bigint }>('SELECT count(*) AS n FROM raw.loans WHERE branch_id = $1', ['BJ01']);
 * await wh.run('DELETE FROM ops.runs WHERE run_id = $1', ['R1']);
 */
export interface WarehouseHandle {
  readonly engine: Engine;
  /** What to name in messages: the DuckDB file (or `:memory:`), or the server URL without its password. */
  readonly path: string;
  /** A typed Kysely over the same connection. */
  readonly db: Kysely<Warehouse>;
  /** Runs one or more statements without parameters, discarding results. */
  exec(sql: string): Promise<void>;
  /** Runs ONE statement with `$n` parameters, discarding results. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /**
   * Runs a query and returns its rows as plain objects, with the same JS values on both engines:
   * BIGINT/HUGEINT → bigint, INTEGER/DOUBLE/DECIMAL → number, DATE/TIMESTAMP → Date (UTC),
   * VARCHAR/ENUM → string, BOOLEAN → boolean.
   */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * The output column names of a query, in order, without running it to the end (DuckDB's
   * `DESCRIBE`; on PostgreSQL the result description of `… LIMIT 0`).
   */
  columns(sql: string): Promise<string[]>;
  /** Closes the connection (and, for DuckDB, the database). */
  close(): Promise<void>;
}
