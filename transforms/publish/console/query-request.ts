import type { QueryParams } from './execute-query.js';
import type { DisplayOptions } from './table-output.js';

/** Output formats of the console. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'parquet', 'arrow', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Result of one analyst query (`runQuery`, `runRequestOnSession`). */
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
  /** How `table` was laid out (format `table` only). */
  layout?: 'table' | 'vertical';
  /** One-line summary, e.g. "3 rows (0.012 s)". */
  summary: string;
}

/** One query as the worker runs it on its open session (paths absolute, saved query resolved). */
export interface QueryRequest {
  sql: string;
  params: QueryParams;
  format: OutputFormat;
  /** Target file (absolute); without it the result goes to the worker's stdout. */
  out?: string;
  /** The hidden temporary `out` is written to, then renamed (absolute). */
  partial?: string;
  limit?: number;
  timeoutSeconds?: number;
  /** Layout of format `table` (mode and terminal width; default auto, 120 columns). */
  display?: DisplayOptions;
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
