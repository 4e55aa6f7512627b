import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CqError, isCqError } from '../../lib/errors.js';
import type { QueryParams } from './execute-query.js';
import { partialPathFor } from './output-sink.js';
import { OUTPUT_FORMATS, type OutputFormat, type RunQueryResult } from './query-request.js';
import { loadSavedQuery, resolveParams, QUERIES_DIR } from './saved-queries.js';
import { appendSqlAudit, auditLogPath } from './sql-audit-log.js';
import { DEFAULT_WAREHOUSE } from './sql-session.js';
import { startSqlWorker } from './sql-worker-client.js';
import type { DisplayOptions } from './table-output.js';

export { OUTPUT_FORMATS, resultSummary, type OutputFormat, type QueryRequest, type RunQueryResult } from './query-request.js';

/** Default row limit of the terminal table. */
export const DEFAULT_TABLE_LIMIT = 1000;

/** Options of {@link runQuery}. */
export interface RunQueryOptions {
  /** Warehouse file; default data/warehouse.duckdb. */
  warehouse?: string;
  /** The SQL (one statement). Exactly one of `sql` and `savedQuery`. */
  sql?: string;
  /** A saved query's name in `queriesDir` (or a path to a .sql file). */
  savedQuery?: string;
  queriesDir?: string;
  /** Named parameters (`$name` in the SQL). */
  params?: Readonly<Record<string, string>>;
  /**
   * table (default; aligned text with row count and time), csv, json, ndjson, arrow (IPC
   * file), parquet (needs `out`), none (run and count only, for benchmarks).
   */
  format?: OutputFormat;
  /** Write to this file (atomically: a partial file renamed into place on success). */
  out?: string;
  /** Row limit: default 1000 for `table`, none for the other formats. */
  limit?: number;
  /** Statement timeout in seconds (default 60; 0 = none). */
  timeoutSeconds?: number;
  /** Show personal data unmasked; logged to the audit log before the query runs. */
  unmasked?: boolean;
  /** Audit log path (default logs/sql-audit.ndjson or $CQ_SQL_AUDIT_LOG). */
  auditLog?: string;
  threads?: number;
  memoryLimit?: string;
  /** Where the table / data go without `out` (default process.stdout). */
  stdout?: NodeJS.WritableStream;
  /** Layout of the `table` format: mode (default auto: vertical when wider than the terminal) and terminal width (default 120). */
  display?: DisplayOptions;
}

/**
 * Runs one analyst query end to end: resolves a saved query and its parameters, writes the
 * audit record for `unmasked` (the query is refused if that fails), starts a query process
 * (sql-worker-client.ts: the locked-down session of sql-session.ts in a child process, killed
 * at the statement timeout or when it outgrows the memory limit, whatever DuckDB is doing),
 * runs the query there, streams the result in the chosen format to `out` or `stdout`, and
 * stops the process. This is what `npm run sql -- "select …"` and `npm run bench` call.
 *
 * @example
 * const r = await runQuery({ sql: 'select branch_id, sum(outstanding_principal) from core.fct_loan_month_ends group by 1', format: 'none' });
 * console.log(r.rowCount, r.elapsedMs);
 */
export async function runQuery(options: RunQueryOptions): Promise<RunQueryResult> {
  const format: OutputFormat = options.format ?? 'table';
  if (!OUTPUT_FORMATS.includes(format)) throw new CqError('CLI_USAGE', `--format must be one of ${OUTPUT_FORMATS.join(', ')}; got ${format}.`);
  if ((options.sql === undefined) === (options.savedQuery === undefined)) {
    throw new CqError('CLI_USAGE', 'give either the SQL text or --query NAME (a saved query in queries/), not both.');
  }
  let sql: string;
  let params: QueryParams;
  if (options.savedQuery !== undefined) {
    let saved;
    try {
      saved = loadSavedQuery(options.savedQuery, options.queriesDir ?? QUERIES_DIR);
    } catch (e) {
      const warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
      if (isCqError(e, 'SQL_FORBIDDEN')) appendSqlAudit({ event: 'refused', unmasked: !!options.unmasked, warehouse, saved_query: options.savedQuery, message: e.message }, auditLogPath(options.auditLog));
      throw e;
    }
    sql = saved.sql;
    params = resolveParams(saved, options.params ?? {});
  } else {
    sql = options.sql!;
    params = options.params ?? {};
  }
  const warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
  const limit = options.limit ?? (format === 'table' ? DEFAULT_TABLE_LIMIT : undefined);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new CqError('CLI_USAGE', `--limit must be a whole number ≥ 0, got ${limit}.`);
  const stdout = options.stdout ?? process.stdout;
  const out = options.out ? resolve(options.out) : undefined;
  if (format === 'parquet' && !out) throw new CqError('CLI_USAGE', '--format parquet needs --out FILE.parquet.');
  if (format === 'arrow' && !out && (stdout as { isTTY?: boolean }).isTTY) {
    throw new CqError('CLI_USAGE', '--format arrow writes binary data: give --out FILE.arrow or redirect stdout.');
  }
  if (out) checkOutPath(out, warehouse);
  const partial = out ? partialPathFor(out) : undefined;
  const auditLog = auditLogPath(options.auditLog);
  const audit = { warehouse, query: sql, ...(options.savedQuery ? { saved_query: options.savedQuery } : {}), ...(Object.keys(params).length ? { params } : {}) };
  if (options.unmasked) appendSqlAudit({ event: 'unmasked_query', unmasked: true, ...audit, ...(out ? { out } : {}) }, auditLog);

  const worker = startSqlWorker(
    {
      warehouse: resolve(warehouse),
      unmasked: !!options.unmasked,
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
    },
    stdout,
  );
  try {
    await worker.ready;
    return await worker.run({
      sql,
      params,
      format,
      ...(out ? { out, partial: partial! } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      ...(options.display ? { display: options.display } : {}),
    });
  } catch (e) {
    if (isCqError(e, 'SQL_FORBIDDEN')) appendSqlAudit({ event: 'refused', unmasked: !!options.unmasked, ...audit, message: e.message }, auditLog);
    throw e;
  } finally {
    await worker.close();
    if (partial) for (const p of [partial, ...parquetTempSiblings(partial)]) rmSync(p, { force: true });
  }
}

/** Files DuckDB may leave beside a Parquet target it was writing (`tmp_<name>`). */
function parquetTempSiblings(partial: string): string[] {
  return [join(dirname(partial), `tmp_${basename(partial)}`)];
}

function checkOutPath(out: string, warehouse: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CqError('CLI_USAGE', `--out ${out}: directory ${dir} does not exist.`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CqError('CLI_USAGE', `--out ${out} is a directory; give a file name.`);
  if (existsSync(out) && existsSync(warehouse) && realpathSync(out) === realpathSync(warehouse)) {
    throw new CqError('CLI_USAGE', `--out ${out} is the warehouse file itself; choose another file.`);
  }
}
