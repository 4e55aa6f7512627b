import { quoteLiteral as lit, type WarehouseHandle } from '../lib/duckdb.js';

/** One KPI value as `metrics.kpi_values` holds it. */
export interface KpiValue {
  metric_id: string;
  /** `YYYY-MM-DD` month end. */
  as_of_month: string;
  slice: string;
  slice_value: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  rag: string;
}

/**
 * KPI values read from `metrics.kpi_values` (the KPI engine's output; the exports never compute
 * a KPI themselves), keyed by {@link kpiKey}.
 *
 * @example
 * const kpis = await readKpiValues(wh, { metrics: ['npl_ratio'], months: ['2026-10-31'], slices: ['all', 'product'] });
 * kpis.get(kpiKey('npl_ratio', '2026-10-31', 'all', 'ALL'))?.value;
 */
export async function readKpiValues(
  wh: WarehouseHandle,
  filter: { metrics?: readonly string[]; months: readonly string[]; slices?: readonly string[] },
): Promise<Map<string, KpiValue>> {
  const out = new Map<string, KpiValue>();
  if (filter.months.length === 0 || filter.metrics?.length === 0) return out;
  const where = [
    `as_of_month IN (${filter.months.map((m) => `${lit(m)}::DATE`).join(', ')})`,
    filter.metrics ? `metric_id IN (${filter.metrics.map(lit).join(', ')})` : 'true',
    filter.slices ? `slice IN (${filter.slices.map(lit).join(', ')})` : 'true',
  ].join(' AND ');
  const rows = await wh.all<KpiValue>(
    `SELECT metric_id, strftime(as_of_month, '%Y-%m-%d') AS as_of_month, slice, slice_value,
       CAST(numerator AS DOUBLE) AS numerator, CAST(denominator AS DOUBLE) AS denominator,
       CAST(value AS DOUBLE) AS value, CAST(target AS DOUBLE) AS target, rag
     FROM metrics.kpi_values WHERE ${where} ORDER BY metric_id, as_of_month, slice, slice_value`,
  );
  for (const r of rows) out.set(kpiKey(r.metric_id, r.as_of_month, r.slice, r.slice_value), r);
  return out;
}

/** Key of a KPI value. @example kpiKey('npl_ratio', '2026-10-31') // 'npl_ratio|2026-10-31|all|ALL' */
export function kpiKey(metric: string, month: string, slice = 'all', sliceValue = 'ALL'): string {
  return `${metric}|${month}|${slice}|${sliceValue}`;
}

/** One row of `metrics.metric_catalog` (the columns the reports show). */
export interface CatalogRow {
  metric_id: string;
  name_zh: string;
  name_en: string;
  description: string;
  formula_text: string;
  numerator_text: string | null;
  denominator_text: string | null;
  unit: string;
  direction: string;
  target: number | null;
  target_text: string;
  tolerance_text: string | null;
  policy_source: string;
  sort_order: number;
}

/**
 * The metric catalogue in display order (sort_order, then id). Columns an older catalogue lacks
 * read as NULL.
 *
 * @example
 * const catalog = await readCatalog(wh);
 */
export async function readCatalog(wh: WarehouseHandle): Promise<CatalogRow[]> {
  const cols = await wh.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'metrics' AND table_name = 'metric_catalog'`,
  );
  const have = new Set(cols.map((c) => c.column_name));
  const col = (name: string, type = 'VARCHAR') => (have.has(name) ? `CAST(${name} AS ${type}) AS ${name}` : `CAST(NULL AS ${type}) AS ${name}`);
  return wh.all<CatalogRow>(
    `SELECT metric_id, name_zh, name_en, ${col('description')}, ${col('formula_text')}, ${col('numerator_text')}, ${col('denominator_text')},
       ${col('unit')}, ${col('direction')}, ${col('target', 'DOUBLE')}, ${col('target_text')}, ${col('tolerance_text')}, ${col('policy_source')},
       ${col('sort_order', 'INTEGER')}
     FROM metrics.metric_catalog ORDER BY sort_order, metric_id`,
  );
}

/**
 * Month ends `offset` months before a month end.
 *
 * @example
 * monthEndBefore('2026-03-31', 1); // '2026-02-28'
 */
export function monthEndBefore(asOfDate: string, offset: number): string {
  const [y, m] = asOfDate.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - offset, 0));
  return d.toISOString().slice(0, 10);
}

/** Reporting months of the warehouse (`core.dim_months`) as `YYYY-MM-DD`. @example await reportingMonths(wh) // ['2026-09-30', '2026-10-31'] */
export async function reportingMonths(wh: WarehouseHandle): Promise<string[]> {
  const r = await wh.all<{ m: string }>(`SELECT strftime(as_of_month, '%Y-%m-%d') AS m FROM core.dim_months ORDER BY as_of_month`);
  return r.map((x) => x.m);
}
