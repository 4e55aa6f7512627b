import { StatementType, VARCHAR, type DuckDBPreparedStatement, type DuckDBType } from '@duckdb/node-api';
import { CqError } from '../../lib/errors.js';
import { checkQuery, type CheckedQuery } from './query-guard.js';
import type { ResultColumn, ResultWriter } from './result-writer.js';
import { timeoutError, toSqlError } from './sql-errors.js';
import type { SqlSession } from './sql-session.js';

/** Default statement timeout, seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** Query parameters by name (`$month` ← `{ month: '2026-10' }`); null binds SQL NULL. */
export type QueryParams = Readonly<Record<string, string | null>>;

/** Options of {@link executeQuery}. */
export interface ExecuteOptions {
  params?: QueryParams;
  /** Interrupt the query after this many seconds (default 60; 0 = no limit). */
  timeoutSeconds?: number;
  /** Stop after this many rows (the rest is never fetched). */
  maxRows?: number;
}

/** What a run produced. */
export interface ExecuteResult {
  columns: ResultColumn[];
  rowCount: number;
  /** More rows existed beyond `maxRows`. */
  truncated: boolean;
  /** From the start of execution to the last row written. */
  elapsedMs: number;
  checked: CheckedQuery;
}

/**
 * Binds named parameters (as VARCHAR; cast in SQL, e.g. `$month::DATE`). Every `$name`
 * the statement uses must be given (null allowed) and every given one used.
 *
 * @example
 * bindParams(prepared, { month: '2026-10' });
 */
export function bindParams(prepared: DuckDBPreparedStatement, params: QueryParams = {}): void {
  const used: string[] = [];
  for (let i = 1; i <= prepared.parameterCount; i++) used.push(prepared.parameterName(i));
  if (used.some((n) => /^\d+$/.test(n))) {
    throw new CqError('SQL_ERROR', 'positional parameters (? or $1) are not supported: name them ($month) and pass --param month=VALUE.');
  }
  const missing = used.filter((n) => !(n in params));
  if (missing.length) {
    throw new CqError('CLI_USAGE', `the query uses ${missing.map((n) => `$${n}`).join(', ')}: pass ${missing.map((n) => `--param ${n}=VALUE`).join(' ')}.`);
  }
  const unused = Object.keys(params).filter((n) => !used.includes(n));
  if (unused.length) {
    throw new CqError('CLI_USAGE', `--param ${unused.join(', ')}: the query has no such parameter${used.length ? ` (it uses ${used.map((n) => `$${n}`).join(', ')})` : ''}.`);
  }
  if (!used.length) return;
  const values: Record<string, string | null> = {};
  const types: Record<string, DuckDBType> = {};
  for (const n of used) {
    values[n] = params[n] ?? null;
    types[n] = VARCHAR;
  }
  prepared.bind(values, types);
}

/**
 * Runs `fn` with a statement timeout: after `seconds` the session's connection is
 * interrupted and `SQL_TIMEOUT` is thrown (also when DuckDB ended the stream quietly, so a
 * cut-off result is never mistaken for a complete one).
 *
 * @example
 * await withTimeout(session, 60, () => prepared.run());
 */
export async function withTimeout<T>(session: SqlSession, seconds: number, fn: () => Promise<T>): Promise<T> {
  let timedOut = false;
  const timer = seconds > 0 ? setTimeout(() => ((timedOut = true), session.conn.interrupt()), seconds * 1000) : undefined;
  try {
    const r = await fn();
    if (timedOut) throw timeoutError(seconds);
    return r;
  } catch (e) {
    if (timedOut) throw timeoutError(seconds);
    throw toSqlError(e);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Checks an analyst query (query-guard.ts), prepares and runs what the guard accepted
 * (`CheckedQuery.sql`), and streams the result chunk by chunk into `writer` (DuckDB's streaming
 * result: memory use is one chunk, whatever the result size). The statement timeout starts
 * before the check, so it covers parsing and planning as well as execution; DuckDB does not
 * notice an interrupt inside some planner work, which is why the console also runs every query
 * in a child process that is killed at the deadline (sql-worker-client.ts).
 *
 * @example
 * const t = tableCollector();
 * const r = await executeQuery(session, 'select * from core.dim_branches', t, { maxRows: 1000 });
 * console.log(t.render(), r.rowCount, r.elapsedMs);
 */
export async function executeQuery(session: SqlSession, sql: string, writer: ResultWriter, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const seconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const started = performance.now();
  const max = options.maxRows ?? Infinity;
  let begun = false;
  let prepared: DuckDBPreparedStatement | undefined;
  try {
    return await withTimeout(session, seconds, async () => {
      const checked = await checkQuery(session.conn, sql);
      prepared = await session.conn.prepare(checked.sql);
      if (prepared.statementType !== StatementType.SELECT && prepared.statementType !== StatementType.EXPLAIN) {
        throw new CqError('SQL_FORBIDDEN', 'refused: only read-only queries run in the analyst console.');
      }
      bindParams(prepared, options.params);
      const result = await prepared.stream();
      const names = result.deduplicatedColumnNames();
      const types = result.columnTypes();
      const columns = names.map((name, i) => ({ name, type: types[i]! }));
      await writer.begin(columns);
      begun = true;
      let rowCount = 0;
      let truncated = false;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        if (rowCount >= max) {
          truncated = true;
          break;
        }
        const take = Math.min(chunk.rowCount, max - rowCount);
        await writer.rows(chunk, take);
        rowCount += take;
        if (take < chunk.rowCount) {
          truncated = true;
          break;
        }
      }
      await writer.end();
      begun = false;
      return { columns, rowCount, truncated, elapsedMs: performance.now() - started, checked };
    });
  } catch (e) {
    if (begun) writer.abort?.();
    throw e;
  } finally {
    prepared?.destroySync();
  }
}
