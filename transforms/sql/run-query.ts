import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CqError, isCqError } from '../lib/errors.js';
import { arrowWriter } from './arrow-writer.js';
import { executeQuery, type QueryParams } from './execute-query.js';
import { fileSink, partialPathFor, streamSink, type ByteSink } from './output-sink.js';
import { exportParquet, parquetWritablePaths } from './parquet-export.js';
import { discardWriter, type ResultWriter } from './result-writer.js';
import { loadSavedQuery, resolveParams, QUERIES_DIR } from './saved-queries.js';
import { appendSqlAudit, auditLogPath } from './sql-audit-log.js';
import { DEFAULT_WAREHOUSE, openSqlSession } from './sql-session.js';
import { tableCollector } from './table-output.js';
import { csvWriter, jsonWriter, ndjsonWriter } from './text-writers.js';

/** Output formats of the console. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'parquet', 'arrow', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
}

/** Result of {@link runQuery}. */
export interface RunQueryResult {
  columns: { name: string; type: string }[];
  rowCount: number;
  /** Rows beyond the limit were not fetched. */
  truncated: boolean;
  /** Query execution and output, milliseconds (session setup excluded). */
  elapsedMs: number;
  format: OutputFormat;
  out?: string;
  /** The rendered table (format `table` only), also written to `stdout`. */
  table?: string;
  /** One-line summary, e.g. "3 rows (0.012 s)". */
  summary: string;
}

/**
 * Runs one analyst query end to end: resolves a saved query and its parameters, writes the
 * audit record for `unmasked`, opens the locked-down session (sql-session.ts), checks and runs
 * the query with the timeout, streams the result in the chosen format to `out` or stdout, and
 * closes the session. This is what `npm run sql -- "select …"` and `npm run bench` call.
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
    const saved = loadSavedQuery(options.savedQuery, options.queriesDir ?? QUERIES_DIR);
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
  const out = options.out;
  if (format === 'parquet' && !out) throw new CqError('CLI_USAGE', '--format parquet needs --out FILE.parquet.');
  if (format === 'arrow' && !out && (stdout as { isTTY?: boolean }).isTTY) {
    throw new CqError('CLI_USAGE', '--format arrow writes binary data: give --out FILE.arrow or redirect stdout.');
  }
  if (out) checkOutPath(out, warehouse);
  const partial = out ? partialPathFor(resolve(out)) : undefined;
  const auditLog = auditLogPath(options.auditLog);
  const audit = { warehouse, query: sql, ...(options.savedQuery ? { saved_query: options.savedQuery } : {}), ...(Object.keys(params).length ? { params } : {}) };
  if (options.unmasked) appendSqlAudit({ event: 'unmasked_query', unmasked: true, ...audit }, auditLog);

  const session = await openSqlSession({
    warehouse,
    unmasked: !!options.unmasked,
    ...(format === 'parquet' && partial ? { writablePaths: parquetWritablePaths(partial) } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  });
  let sink: ByteSink | undefined;
  try {
    const exec = { params, ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}), ...(limit !== undefined ? { maxRows: limit } : {}) };
    if (format === 'parquet') {
      try {
        const r = await exportParquet(session, sql, partial!, exec);
        renameSync(partial!, out!);
        const summary = `${plural(r.rowCount)} written to ${out} (parquet) in ${secs(r.elapsedMs)}`;
        return { columns: [], rowCount: r.rowCount, truncated: false, elapsedMs: r.elapsedMs, format, out: out!, summary };
      } finally {
        for (const p of parquetWritablePaths(partial!)) rmSync(p, { force: true });
      }
    }
    sink = out ? fileSink(resolve(out), partial) : streamSink(stdout);
    let writer: ResultWriter;
    const table = format === 'table' ? tableCollector() : undefined;
    if (table) writer = table;
    else if (format === 'csv') writer = csvWriter(sink);
    else if (format === 'json') writer = jsonWriter(sink);
    else if (format === 'ndjson') writer = ndjsonWriter(sink);
    else if (format === 'arrow') writer = arrowWriter(sink);
    else writer = discardWriter();
    const r = await executeQuery(session, sql, writer, exec);
    let rendered: string | undefined;
    const summary = resultSummary(r.rowCount, r.truncated, r.elapsedMs, format, out);
    if (table) {
      rendered = table.render();
      await sink.write(rendered);
      await sink.write(`${summary}\n`);
    }
    await sink.finish();
    return {
      columns: r.columns.map((c) => ({ name: c.name, type: c.type.toString() })),
      rowCount: r.rowCount,
      truncated: r.truncated,
      elapsedMs: r.elapsedMs,
      format,
      ...(out ? { out } : {}),
      ...(rendered !== undefined ? { table: rendered } : {}),
      summary,
    };
  } catch (e) {
    sink?.abort();
    if (isCqError(e, 'SQL_FORBIDDEN')) appendSqlAudit({ event: 'refused', unmasked: !!options.unmasked, ...audit, message: e.message }, auditLog);
    throw e;
  } finally {
    session.close();
  }
}

/** The summary line under a result. @example resultSummary(3, false, 12, 'table') // '3 rows (0.012 s)' */
export function resultSummary(rowCount: number, truncated: boolean, elapsedMs: number, format: OutputFormat, out?: string): string {
  const where = out ? ` written to ${out} (${format})` : '';
  if (truncated) {
    return `first ${plural(rowCount)}${where} (${secs(elapsedMs)}); more rows were not fetched — raise --limit N, or export everything with --format csv|parquet|arrow --out FILE`;
  }
  return `${plural(rowCount)}${where} (${secs(elapsedMs)})`;
}

function plural(n: number): string {
  return `${n.toLocaleString('en')} row${n === 1 ? '' : 's'}`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function checkOutPath(out: string, warehouse: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CqError('CLI_USAGE', `--out ${out}: directory ${dir} does not exist.`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CqError('CLI_USAGE', `--out ${out} is a directory; give a file name.`);
  if (existsSync(out) && existsSync(warehouse) && realpathSync(out) === realpathSync(warehouse)) {
    throw new CqError('CLI_USAGE', `--out ${out} is the warehouse file itself; choose another file.`);
  }
}
