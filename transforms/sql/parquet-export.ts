import { DuckDBTypeId, StatementType } from '@duckdb/node-api';
import { quoteIdent as q, quoteLiteral as lit } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
import { bindParams, DEFAULT_TIMEOUT_SECONDS, withTimeout, type ExecuteOptions } from './execute-query.js';
import { checkQuery } from './query-guard.js';
import type { SqlSession } from './sql-session.js';
import { stripTerminator } from './sql-text.js';

/**
 * The temporary files DuckDB needs to write a Parquet export to `partial`: the file itself
 * and the `tmp_` sibling DuckDB uses when the target already exists. The session is opened
 * with exactly these as `allowed_paths`, so the export can write nothing else.
 *
 * @example
 * parquetWritablePaths('/out/.x.parquet.partial-1-ab'); // ['/out/.x.parquet.partial-1-ab', '/out/tmp_.x.parquet.partial-1-ab']
 */
export function parquetWritablePaths(partial: string): string[] {
  const slash = partial.lastIndexOf('/');
  return [partial, `${partial.slice(0, slash + 1)}tmp_${partial.slice(slash + 1)}`];
}

/**
 * Writes an analyst query's result as Parquet (ZSTD) with DuckDB's own writer, streaming
 * (HUGEINT columns as DECIMAL(38,0), which Parquet can hold exactly):
 * the query is checked like any other, then run as `COPY (query) TO 'partial'` on a session
 * whose only writable path is `partial` (external access is otherwise off and the
 * configuration locked). The caller renames `partial` into place.
 *
 * @example
 * const s = await openSqlSession({ writablePaths: parquetWritablePaths(partial) });
 * const { rowCount } = await exportParquet(s, 'select * from marts.mart_risk__vintages', partial);
 */
export async function exportParquet(session: SqlSession, sql: string, partial: string, options: ExecuteOptions = {}): Promise<{ rowCount: number; elapsedMs: number }> {
  const checked = await checkQuery(session.conn, sql);
  if (checked.kind !== 'select') throw new CqError('CLI_USAGE', 'EXPLAIN output cannot be written as Parquet; use --format table or csv.');
  let body = stripTerminator(sql);
  // Parquet has no 128-bit integer: DuckDB would write HUGEINT (e.g. sum() of integers) as DOUBLE.
  // Write it as DECIMAL(38,0) instead, exact and the same as the Arrow output.
  const huge = await hugeintColumns(session, body);
  if (huge.length) body = `SELECT * REPLACE (${huge.map((c) => `CAST(${q(c)} AS DECIMAL(38,0)) AS ${q(c)}`).join(', ')}) FROM (\n${body}\n)`;
  if (options.maxRows !== undefined) body = `SELECT * FROM (\n${body}\n) LIMIT ${Math.max(0, Math.floor(options.maxRows))}`;
  const copy = `COPY (\n${body}\n) TO ${lit(partial)} (FORMAT parquet, COMPRESSION zstd)`;
  const seconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const started = performance.now();
  return withTimeout(session, seconds, async () => {
    const prepared = await session.conn.prepare(copy);
    try {
      if (prepared.statementType !== StatementType.COPY) throw new CqError('INTERNAL', 'the Parquet export statement is not a COPY.');
      bindParams(prepared, options.params);
      const reader = await prepared.runAndReadAll();
      const rowCount = Number(reader.getRows()[0]?.[0] ?? 0);
      return { rowCount, elapsedMs: performance.now() - started };
    } finally {
      prepared.destroySync();
    }
  });
}

/** Names of the HUGEINT columns of a query's result (prepared, not run). */
async function hugeintColumns(session: SqlSession, body: string): Promise<string[]> {
  const probe = await session.conn.prepare(body).catch(() => undefined);
  if (!probe) return [];
  try {
    const out: string[] = [];
    for (let i = 0; i < probe.columnCount; i++) if (probe.columnTypeId(i) === DuckDBTypeId.HUGEINT) out.push(probe.columnName(i));
    return out;
  } finally {
    probe.destroySync();
  }
}
