import { createHash } from 'node:crypto';
import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';

/** One KPI row of a month as closed: the figures of metrics.kpi_values that a close freezes. */
export interface KpiRowSnapshot {
  metric_id: string;
  slice: string;
  slice_value: string;
  status: string | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  n: number | null;
}

/** The KPI rows of a month, in canonical order, with their canonical text and its SHA-256. */
export interface MonthKpiSnapshot {
  month: string;
  rows: KpiRowSnapshot[];
  /** SHA-256 (hex) of {@link canonicalKpiText} of the rows. */
  hash: string;
}

/** Header line of the canonical text (part of what is hashed). */
export const CANONICAL_KPI_HEADER = 'metric_id|slice|slice_value|status|value|numerator|denominator|n';

/**
 * A number in the canonical text: 12 significant digits, no trailing zeros, '' for NULL. Twelve
 * digits keep every cent of a numerator up to ten thousand million and a ratio to 1e-12, and drop
 * the last-bit noise of a double sum computed in another order (two builds of the same data).
 *
 * @example
 * canonicalNumber(0.1 + 0.2); // '0.3'
 * canonicalNumber(1234567.891); // '1234567.891'
 * canonicalNumber(null); // ''
 */
export function canonicalNumber(v: number | null): string {
  if (v === null || v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(12)));
}

/** The canonical line of one row (no line end). @example canonicalKpiLine(row) // 'npl_ratio|branch|BJ01|measured|0.0422|105000|2487000|' */
export function canonicalKpiLine(r: KpiRowSnapshot): string {
  return [r.metric_id, r.slice, r.slice_value, r.status ?? '', canonicalNumber(r.value), canonicalNumber(r.numerator), canonicalNumber(r.denominator), canonicalNumber(r.n)].join('|');
}

/** Key of a row within its month. @example kpiRowKey(row) // 'npl_ratio|branch|BJ01' */
export function kpiRowKey(r: Pick<KpiRowSnapshot, 'metric_id' | 'slice' | 'slice_value'>): string {
  return `${r.metric_id}|${r.slice}|${r.slice_value}`;
}

/**
 * The canonical text of a month's KPI rows: the header line, then one line per row sorted by
 * metric_id, slice, slice_value (code-unit order, not locale), each line ending in `\n`.
 *
 * @example
 * canonicalKpiText(rows);
 * // 'metric_id|slice|slice_value|status|value|numerator|denominator|n\n'
 * // + 'npl_ratio|all|ALL|measured|0.0422|105000|2487000|\n' + …
 */
export function canonicalKpiText(rows: readonly KpiRowSnapshot[]): string {
  const sorted = [...rows].sort((a, b) => cmp(kpiRowKey(a), kpiRowKey(b)));
  return [CANONICAL_KPI_HEADER, ...sorted.map(canonicalKpiLine)].map((l) => `${l}\n`).join('');
}

/**
 * Reads the KPI rows of one business month (every KPI of metrics.kpi_values, every slice) and
 * hashes them. `month` is YYYY-MM; the rows are those whose as_of_month falls in it.
 *
 * @example
 * const snap = await monthKpiSnapshot(wh, '2026-08');
 * // SELECT metric_id, slice, slice_value, status, value, numerator, denominator, n
 * // FROM metrics.kpi_values WHERE strftime(as_of_month, '%Y-%m') = '2026-08'
 */
export async function monthKpiSnapshot(wh: WarehouseHandle, month: string): Promise<MonthKpiSnapshot> {
  const rows = await wh.all<KpiRowSnapshot>(
    `SELECT metric_id, slice, slice_value, status, value::DOUBLE PRECISION AS value, numerator::DOUBLE PRECISION AS numerator, denominator::DOUBLE PRECISION AS denominator, n::DOUBLE PRECISION AS n
     FROM metrics.kpi_values WHERE strftime(as_of_month, '%Y-%m') = ${lit(month)}`,
  );
  const sorted = rows.sort((a, b) => cmp(kpiRowKey(a), kpiRowKey(b)));
  return { month, rows: sorted, hash: sha256(canonicalKpiText(sorted)) };
}

/** SHA-256 (hex) of the canonical text of rows. @example kpiHash(snapshot.rows) */
export function kpiHash(rows: readonly KpiRowSnapshot[]): string {
  return sha256(canonicalKpiText(rows));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
