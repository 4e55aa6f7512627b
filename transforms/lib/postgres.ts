import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CqError } from './errors.js';
import { COMPAT_SEARCH_PATH, postgresCompatSql } from './postgres-compat.js';
import { createEnumSql, toPostgres } from './postgres-translate.js';
import type { WarehouseHandle } from './warehouse-handle.js';
import type { Warehouse } from './warehouse-types.generated.js';

/**
 * Session settings of every warehouse connection to PostgreSQL/Citus (sent as startup options):
 * the compat functions first on the search path, UTC (dates and month ends as DuckDB computes
 * them), no statement timeout for long builds, and Citus's limits lifted for the builds'
 * intermediate results (plain custom settings on PostgreSQL without Citus).
 */
export const POSTGRES_SESSION_SETTINGS: Readonly<Record<string, string>> = {
  search_path: COMPAT_SEARCH_PATH.replaceAll(' ', ''),
  TimeZone: 'UTC',
  statement_timeout: '0',
  client_min_messages: 'warning',
  'citus.max_intermediate_result_size': '-1',
  'citus.enable_repartition_joins': 'on',
};

/** Type parsers that give the JS values DuckDB's node-api gives (see {@link WarehouseHandle.all}). */
function typeParsers(): pg.CustomTypesConfig {
  const { types } = pg;
  const parsers = new Map<number, (text: string) => unknown>([
    [types.builtins.INT8, (s) => BigInt(s)],
    [types.builtins.NUMERIC, (s) => Number(s)],
    [types.builtins.DATE, (s) => new Date(`${s}T00:00:00Z`)],
    [types.builtins.TIMESTAMP, (s) => new Date(`${s.replace(' ', 'T')}Z`)],
    [types.builtins.TIMESTAMPTZ, (s) => new Date(s)],
    [types.builtins.JSON, (s) => s],
    [types.builtins.JSONB, (s) => s],
  ]);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => parsers.get(oid) ?? types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db` (for messages and logs). */
export function maskUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/**
 * BigInt parameters go to the server as their decimal text (`pg` cannot serialise a bigint);
 * a JS Date as an ISO instant.
 */
function serialise(params: readonly unknown[] | undefined): unknown[] | undefined {
  return params?.map((p) => (typeof p === 'bigint' ? p.toString() : p));
}

/** A warehouse on a PostgreSQL/Citus server: the engine-neutral handle plus bulk loading by `COPY`. */
export interface PostgresWarehouse extends WarehouseHandle {
  readonly engine: 'postgres';
  /**
   * Streams a CSV file (no header; an unquoted empty field is NULL, `""` an empty text: what DuckDB's
   * `COPY … TO` writes) into a table with `COPY … FROM STDIN`, on the handle's one connection (so
   * inside its open transaction). Returns the rows copied.
   *
   * @example
   * await pg.copyFromCsv('raw.loans', ['loan_id', 'customer_id'], '/tmp/loans.csv');
   * // COPY raw.loans ("loan_id", "customer_id") FROM STDIN (FORMAT csv)
   */
  copyFromCsv(table: string, columns: readonly string[], file: string): Promise<number>;
}

/**
 * Opens a warehouse on a PostgreSQL server — plain PostgreSQL 15 or a Citus coordinator — over
 * one connection (session settings, temporary tables and a load's transaction stay on it), shared
 * with Kysely's `PostgresDialect`.
 *
 * @example
 * const wh = await openPostgresWarehouse('postgres://cq@db01:5432/cq');
 * await wh.all('SELECT count(*) AS n FROM raw.loans'); // [{ n: 123n }]
 * await wh.close();
 */
export async function openPostgresWarehouse(url: string): Promise<PostgresWarehouse> {
  const options = Object.entries(POSTGRES_SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0, types: typeParsers(), options });
  // Pool errors of an idle connection (server restart) surface on the next query, not as a crash.
  pool.on('error', () => {});
  try {
    await pool.query(postgresCompatSql());
  } catch (e) {
    await pool.end();
    throw new CqError(
      'WAREHOUSE_MISSING',
      `${maskUrl(url)}: cannot connect to the PostgreSQL warehouse (${(e as Error).message}). Fix: check citusUrl in cq.config.json (the password comes from PGPASSWORD or ~/.pgpass) and that the server is running (scripts/citus-cluster.sh start DIR for a local test cluster).`,
      {},
      { cause: e },
    );
  }
  const db = new Kysely<Warehouse>({ dialect: new PostgresDialect({ pool }) });
  const created = new Set<string>();
  /** The statement for PostgreSQL, after creating the enum types it needs. */
  const prepare = async (text: string): Promise<string> => {
    const { sql, enums } = toPostgres(text);
    for (const [name, values] of enums) {
      if (created.has(name)) continue;
      await pool.query(createEnumSql(name, values));
      created.add(name);
    }
    return sql;
  };
  return {
    engine: 'postgres',
    path: maskUrl(url),
    db,
    async exec(sql) {
      await pool.query(await prepare(sql));
    },
    async run(sql, params) {
      await pool.query(await prepare(sql), serialise(params));
    },
    async all<T>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query(await prepare(sql), serialise(params));
      // A multi-statement text returns one result per statement: the rows are the last one's.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return (last?.rows ?? []) as T[];
    },
    async columns(sql) {
      const result = await pool.query(await prepare(`SELECT * FROM (${sql}) AS described LIMIT 0`));
      return result.fields.map((f) => f.name);
    },
    async copyFromCsv(table, columns, file) {
      // The pool's only connection: the one an open BEGIN … COMMIT runs on.
      const client = await pool.connect();
      try {
        const copy = client.query(copyFrom(`COPY ${table} (${columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ')}) FROM STDIN (FORMAT csv)`));
        await pipeline(createReadStream(file), copy);
        return Number(copy.rowCount ?? 0);
      } finally {
        client.release();
      }
    },
    async close() {
      // Kysely ends the pool only if it used it; end it here otherwise (its socket keeps Node alive).
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}
