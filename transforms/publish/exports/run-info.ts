import { createHash } from 'node:crypto';
import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { monthEndOf } from '../../lib/month-end.js';

/** A business month and its month-end date. */
export interface BusinessMonth {
  /** `YYYY-MM` */
  month: string;
  /** `YYYY-MM-DD`, the last day of the month. */
  asOfDate: string;
}

/**
 * Parses `YYYY-MM` (a `YYYY-MM-DD` business date is accepted and reduced to its month).
 *
 * @example
 * parseBusinessMonth('2026-02'); // { month: '2026-02', asOfDate: '2026-02-28' }
 */
export function parseBusinessMonth(text: string): BusinessMonth {
  const m = /^(\d{4})-(\d{2})(?:-\d{2})?$/.exec(text.trim());
  const year = m ? Number(m[1]) : NaN;
  const mon = m ? Number(m[2]) : NaN;
  if (!m || mon < 1 || mon > 12 || year < 1900) throw new CqError('CLI_USAGE', `--month must look like 2026-10 (YYYY-MM), got "${text}".`);
  return { month: `${m[1]}-${m[2]}`, asOfDate: monthEndOf(year, mon) };
}

/** True when `schema.name` exists (table or view). @example await relationExists(wh, 'ops', 'runs') */
export async function relationExists(wh: WarehouseHandle, schema: string, name: string): Promise<boolean> {
  const r = await wh.all<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = ${lit(schema)} AND table_name = ${lit(name)}`,
  );
  return (r[0]?.n ?? 0) > 0;
}

/**
 * Checks that the warehouse has what the exports read and that `month` is a reporting month
 * (in `core.dim_months`); throws EXPORT_FAILED saying what to run otherwise.
 *
 * @example
 * await requireMonth(wh, parseBusinessMonth('2026-01'));
 */
export async function requireMonth(wh: WarehouseHandle, m: BusinessMonth): Promise<void> {
  const needed: [string, string][] = [
    ['ops', 'load_audit'],
    ['core', 'dim_months'],
    ['core', 'fct_loan_month_ends'],
    ['marts', 'mart_risk__npl_movements'],
    ['marts', 'mart_credit__currency_monthly'],
    ['metrics', 'metric_catalog'],
    ['metrics', 'kpi_values'],
  ];
  for (const [s, n] of needed) {
    if (!(await relationExists(wh, s, n))) {
      throw new CqError(
        'EXPORT_FAILED',
        `${wh.path}: ${s}.${n} is missing. Fix: load extracts and build the warehouse first (npm run load, then npm run transform).`,
        { file: wh.path },
      );
    }
  }
  const months = await wh.all<{ m: string }>(`SELECT strftime(as_of_month, '%Y-%m') AS m FROM core.dim_months ORDER BY as_of_month`);
  if (!months.some((r) => r.m === m.month)) {
    const list = months.map((r) => r.m);
    const shown = list.length > 6 ? `${list.slice(0, 3).join(', ')}, …, ${list.slice(-3).join(', ')}` : list.join(', ');
    throw new CqError(
      'EXPORT_FAILED',
      `${wh.path}: ${m.month} is not a reporting month of this warehouse (reporting months: ${shown || 'none'}). Fix: choose one of them, or load that month's extracts.`,
      { file: wh.path },
    );
  }
}

/** Where the package's run id and generated-at came from. */
export interface RunInfo {
  runId: string;
  /** ISO 8601 UTC, whole seconds, e.g. `2026-11-01T02:13:05Z`. */
  generatedAt: string;
  /** `option` (given), `ops.runs` (the nightly run that built the warehouse) or `ops.load_audit` (its latest load). */
  source: 'option' | 'ops.runs' | 'ops.load_audit';
}

/**
 * The run id and generated-at of a package, taken from the warehouse so that exporting the same
 * month twice from the same warehouse gives the same manifest: explicit options win; else the
 * run in `ops.runs` (the given run id, or the latest succeeded one) and its finished_at; else
 * the latest load in `ops.load_audit` (run id `load-<load_id>`, its finished_at). Never the clock.
 *
 * @example
 * const info = await resolveRunInfo(wh, { runId: '20261101T020000Z' });
 */
export async function resolveRunInfo(wh: WarehouseHandle, options: { runId?: string; generatedAt?: string } = {}): Promise<RunInfo> {
  let given: string | undefined;
  if (options.generatedAt !== undefined) given = normaliseTimestamp(options.generatedAt);
  if (await relationExists(wh, 'ops', 'runs')) {
    const where = options.runId ? `run_id = ${lit(options.runId)}` : `status = 'succeeded' AND finished_at IS NOT NULL`;
    const [r] = await wh.all<{ run_id: string; at: string | null }>(
      `SELECT run_id, strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') AS at FROM ops.runs WHERE ${where} ORDER BY finished_at DESC NULLS LAST, run_id DESC NULLS LAST LIMIT 1`,
    );
    if (r && (r.at || given)) return { runId: r.run_id, generatedAt: given ?? r.at!, source: given ? 'option' : 'ops.runs' };
  }
  const [l] = await wh.all<{ load_id: string; at: string }>(
    `SELECT load_id, strftime(max(finished_at), '%Y-%m-%dT%H:%M:%SZ') AS at FROM ops.load_audit GROUP BY load_id ORDER BY max(finished_at) DESC NULLS LAST, load_id DESC NULLS LAST LIMIT 1`,
  );
  if (!l) throw new CqError('EXPORT_FAILED', `${wh.path}: ops.load_audit is empty: nothing has been loaded. Fix: npm run load first.`, { file: wh.path });
  return { runId: options.runId ?? `load-${l.load_id}`, generatedAt: given ?? l.at, source: given ? 'option' : 'ops.load_audit' };
}

/**
 * Normalises a timestamp option to ISO UTC with whole seconds; a value without a zone is UTC.
 *
 * @example
 * normaliseTimestamp('2026-11-01 02:13:05'); // '2026-11-01T02:13:05Z'
 */
export function normaliseTimestamp(text: string): string {
  const t = text.trim();
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t.replace(' ', 'T')}Z`;
  const d = new Date(withZone);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t) || Number.isNaN(d.getTime())) {
    throw new CqError('CLI_USAGE', `--generated-at must be an ISO timestamp such as 2026-11-01T02:13:05Z, got "${text}".`);
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One loaded extract file, as recorded in `ops.load_audit`. */
export interface SourceExtract {
  business_date: string;
  entity: string;
  /** `<business date>/<file name>` (no machine-specific folders). */
  file: string;
  sha256: string;
  bytes: number;
  rows_loaded: number;
  rows_rejected: number;
  load_id: string;
}

/**
 * The extract files behind a month: every load in `ops.load_audit` with business date up to the
 * month end (month-end figures are built from all history delivered by then), by date and entity.
 *
 * @example
 * const files = await sourceExtracts(wh, '2026-01-31');
 */
export async function sourceExtracts(wh: WarehouseHandle, asOfDate: string): Promise<SourceExtract[]> {
  const rows = await wh.all<{
    business_date: string;
    entity: string;
    path: string;
    sha256: string;
    bytes: bigint;
    rows_loaded: bigint;
    rows_rejected: bigint;
    load_id: string;
  }>(
    `SELECT strftime(business_date, '%Y-%m-%d') AS business_date, entity, path, sha256, bytes, rows_loaded, rows_rejected, load_id
     FROM ops.load_audit WHERE business_date <= ${lit(asOfDate)}::DATE ORDER BY business_date, entity, path`,
  );
  return rows.map((r) => ({
    business_date: r.business_date,
    entity: r.entity,
    file: `${r.business_date}/${r.path.split(/[\\/]/).at(-1)}`,
    sha256: r.sha256,
    bytes: Number(r.bytes),
    rows_loaded: Number(r.rows_loaded),
    rows_rejected: Number(r.rows_rejected),
    load_id: r.load_id,
  }));
}

/** Hash of the metric definitions a package used. */
export interface MetricDefinitionsHash {
  source: 'metrics.metric_catalog';
  metrics: number;
  sha256: string;
}

/**
 * SHA-256 of the metric catalogue the KPIs were built with: the rows of
 * `metrics.metric_catalog` ordered by metric_id, every column, as canonical JSON (keys sorted,
 * one row per line). The catalogue, not the `metrics/*.ts` sources, because it is what built the
 * warehouse being exported (the sources may have changed since).
 *
 * @example
 * (await metricDefinitionsHash(wh)).sha256; // 'e3b0…'
 */
export async function metricDefinitionsHash(wh: WarehouseHandle): Promise<MetricDefinitionsHash> {
  const rows = await wh.all<Record<string, unknown>>('SELECT * FROM metrics.metric_catalog ORDER BY metric_id');
  const text = rows.map((r) => canonicalJson(r)).join('\n');
  return { source: 'metrics.metric_catalog', metrics: rows.length, sha256: createHash('sha256').update(text).digest('hex') };
}

/** JSON with object keys sorted (bigints as decimal strings, dates as ISO). @example canonicalJson({ b: 1, a: 2 }) // '{"a":2,"b":1}' */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
