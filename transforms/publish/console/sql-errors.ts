import { CqError } from '../../lib/errors.js';

/**
 * Turns an error thrown by DuckDB while running an analyst query into a `CqError`:
 * a permission error (file access, extension loading, locked configuration) becomes
 * `SQL_FORBIDDEN`, an interrupt `SQL_TIMEOUT` when `timeoutSeconds` says the statement timeout
 * fired (else `SQL_ERROR` "interrupted", e.g. Ctrl-C), anything else `SQL_ERROR` with DuckDB's
 * message (which names the table / column / position). `CqError`s pass through.
 *
 * @example
 * try { await conn.run(sql); } catch (e) { throw toSqlError(e); }
 */
export function toSqlError(e: unknown, timeoutSeconds?: number): CqError {
  if (e instanceof CqError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/^INTERRUPT Error/i.test(message)) {
    return timeoutSeconds === undefined ? new CqError('SQL_ERROR', 'the query was interrupted.', {}, { cause: e }) : timeoutError(timeoutSeconds);
  }
  if (/^Permission Error/i.test(message) || /disabled (by|through) configuration|configuration has been locked/i.test(message)) {
    return new CqError(
      'SQL_FORBIDDEN',
      `refused: ${firstLine(message)}. The analyst console cannot read or write files on this machine, load extensions or change its settings; it only queries the published warehouse. To export a result use --out FILE --format csv|json|ndjson|parquet|arrow.`,
      {},
      { cause: e },
    );
  }
  return new CqError('SQL_ERROR', message.replace(/^Failed to extract statements: /, ''), {}, { cause: e });
}

/** The `SQL_TIMEOUT` error of a query interrupted after `seconds`. */
export function timeoutError(seconds?: number): CqError {
  return new CqError(
    'SQL_TIMEOUT',
    `the query ran longer than ${seconds ?? '?'} s and was interrupted (statement timeout). Fix: filter or aggregate more, or raise the limit with --timeout SECONDS.`,
  );
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/\.$/, '');
}
