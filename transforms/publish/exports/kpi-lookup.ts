import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { formatKpiValue, type MetricDisplay } from '../../kpi/metric.js';
import { group } from './digit-grouping.js';
import type { Cell, Footnotes } from './report-table.js';
import type { MetricsMetricCatalogRow } from '../../lib/warehouse-types.generated.js';

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
  /** `measured`, `no_data` (value NULL; the reason below) or `too_few` (below the minimum sample: value read as NULL, never shown; the reason below). */
  status: 'measured' | 'no_data' | 'too_few';
  reason_code: string | null;
  reason_zh: string | null;
  reason_en: string | null;
  /** Sample size (kpi_values.n; NULL without a minimum sample, or an older warehouse). */
  n: number | null;
  /** From the catalogue (NULL when absent): the first minimum sample and what it counts… */
  min_observations: number | null;
  sample_text_zh: string | null;
  sample_text_en: string | null;
  /** …and the display guards: a value above display_cap prints display_cap_text; a change beyond change_cap prints capped. */
  display_cap: number | null;
  display_cap_text: string | null;
  change_cap: number | null;
  /** How the value is shown (`percent` / `number`, decimals). */
  display_format: string | null;
  display_decimals: number | null;
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
  const cols = await wh.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'metrics' AND table_name = 'kpi_values'`,
  );
  // A warehouse built before KPI availability existed: a row without a value is no_data, reason unknown.
  const status = cols.some((c) => c.column_name === 'status')
    ? 'status, reason_code, reason_zh, reason_en'
    : `CASE WHEN value IS NULL THEN 'no_data' ELSE 'measured' END AS status, CAST(NULL AS VARCHAR) AS reason_code,
       CASE WHEN value IS NULL THEN '无数值' END AS reason_zh, CASE WHEN value IS NULL THEN 'no value' END AS reason_en`;
  const catCols = new Set(
    (await wh.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'metrics' AND table_name = 'metric_catalog'`)).map(
      (c) => c.column_name,
    ),
  );
  // Guards from the catalogue (an older catalogue or warehouse without them: NULL, nothing capped).
  const cat = (name: string, type: string) => `${catCols.has(name) ? `CAST(c.${name} AS ${type})` : `CAST(NULL AS ${type})`} AS ${name}`;
  const n = cols.some((c) => c.column_name === 'n') ? 'CAST(n AS DOUBLE PRECISION) AS n' : 'CAST(NULL AS DOUBLE PRECISION) AS n';
  const rows = await wh.all<KpiValue>(
    `SELECT v.*, ${cat('min_observations', 'DOUBLE PRECISION')}, ${cat('sample_text_zh', 'VARCHAR')}, ${cat('sample_text_en', 'VARCHAR')},
       ${cat('display_cap', 'DOUBLE PRECISION')}, ${cat('display_cap_text', 'VARCHAR')}, ${cat('change_cap', 'DOUBLE PRECISION')},
       ${cat('display_format', 'VARCHAR')}, ${cat('display_decimals', 'INTEGER')}
     FROM (SELECT metric_id, strftime(as_of_month, '%Y-%m-%d') AS as_of_month, slice, slice_value,
       CAST(numerator AS DOUBLE PRECISION) AS numerator, CAST(denominator AS DOUBLE PRECISION) AS denominator,
       ${cols.some((c) => c.column_name === 'status') ? "CASE WHEN status = 'too_few' THEN NULL ELSE CAST(value AS DOUBLE PRECISION) END" : 'CAST(value AS DOUBLE PRECISION)'} AS value,
       CAST(target AS DOUBLE PRECISION) AS target, rag, ${status}, ${n}
       FROM metrics.kpi_values WHERE ${where}) v
     ${catCols.size ? 'LEFT JOIN metrics.metric_catalog c ON c.metric_id = v.metric_id' : ''}
     ORDER BY v.metric_id, v.as_of_month, v.slice, v.slice_value`,
  );
  for (const r of rows) out.set(kpiKey(r.metric_id, r.as_of_month, r.slice, r.slice_value), r);
  return out;
}

/**
 * One figure of a KPI row for a report cell: the number, or
 * - when the row is `no_data` and the figure is NULL — a no-data cell (`— [n]`) whose footnote in
 *   `notes` gives the reason;
 * - when the row is `too_few` — its value is never shown: `— [n]`, footnote
 *   `样本不足 Too few — 可评估评分 n = 12 < 30 / evaluable scores n = 12 < 30` (the sample size
 *   against the minimum it missed);
 * - when the value is above the KPI's display cap (catalogue `display_cap`) — a capped cell
 *   printing `display_cap_text` (`> 1,000% [n]`) that keeps the real number for checks.
 * A NULL figure of a measured row (e.g. the numerator of a median KPI) stays empty; the target of
 * a no_data row is still shown (it is known). Never a 0 for a missing figure.
 *
 * @example
 * kpiFigure(kpis.get(kpiKey('warning_coverage', '2026-10-31')), 'value', notes); // { noData: true, note: 1 }
 * kpiFigure(kpis.get(kpiKey('provision_coverage', '2026-10-31', 'branch', 'BJ01')), 'value', notes); // { capped: true, value: 127.1274, text: '> 1,000%', note: 2 }
 */
export function kpiFigure(k: KpiValue | undefined, field: 'value' | 'numerator' | 'denominator' | 'target', notes: Footnotes): Cell {
  if (!k) return null;
  const v = k[field];
  if (field === 'value' && k.status === 'too_few') return tooFewCell(k, notes);
  if (v !== null) {
    if (field === 'value' && k.display_cap !== null && k.display_cap !== undefined && v > k.display_cap) {
      const text = k.display_cap_text || `> ${k.display_cap}`;
      return notes.capped(v, text, `数值超过 ${text.replace(/^> /, '')}，封顶显示为“${text}”`, `value above ${text.replace(/^> /, '')}, shown as “${text}”`);
    }
    return v;
  }
  if ((k.status !== 'no_data' && k.status !== 'too_few') || field === 'target') return null;
  return notes.cell(k.reason_zh ?? '无数据', k.reason_en ?? 'no data');
}

/** The `— [n]` cell of a too-few row: the footnote gives n against the minimum (or, when another minimum failed, the engine's reason). */
function tooFewCell(k: KpiValue, notes: Footnotes): Cell {
  const n = k.n;
  const min = k.min_observations;
  if (n !== null && n !== undefined && min !== null && min !== undefined && n < min) {
    const cmp = `n = ${group(String(Math.round(n)))} < ${group(String(min))}`;
    return notes.tooFew(`${k.sample_text_zh ?? ''} ${cmp}`.trim(), `${k.sample_text_en ?? ''} ${cmp}`.trim());
  }
  const zh = (k.reason_zh ?? '').replace(/^样本不足[：:]\s*/, '');
  const en = (k.reason_en ?? '').replace(/^Too few observations:\s*/i, '');
  return notes.tooFew(zh || '样本量低于最低要求', en || 'below the minimum sample');
}

/**
 * The change of a KPI between two rows (this month − an earlier month) for a report cell: the
 * number, or NULL when either value is missing (no-data, too-few), or — beyond the KPI's change
 * cap (catalogue `change_cap`, 1 = 100 percentage points) — a capped cell printing
 * `> +100.00 个百分点 pp` / `< -100.00 个百分点 pp` with a footnote (the real change is kept for checks).
 *
 * @example
 * kpiChange(k, kPrev, notes); // 0.0012 (shown "+0.12 个百分点 pp"), or { capped: true, value: -37.1766, text: '< -100.00 个百分点 pp', note: 3 }
 */
export function kpiChange(k: KpiValue | undefined, earlier: KpiValue | undefined, notes: Footnotes): Cell {
  if (!k || !earlier || k.value === null || earlier.value === null || k.status === 'too_few' || earlier.status === 'too_few') return null;
  return capChange(k.value - earlier.value, k, notes);
}

/**
 * A change capped at the KPI's `change_cap` (see {@link kpiChange}); the change as is when within
 * the cap or when the KPI has none.
 *
 * @example
 * capChange(-37.1766, k, notes); // { capped: true, value: -37.1766, text: '< -100.00 个百分点 pp', note: 1 }
 */
export function capChange(change: number, k: Pick<KpiValue, 'change_cap' | 'display_format' | 'display_decimals'>, notes: Footnotes): Cell {
  const cap = k.change_cap;
  if (cap === null || cap === undefined || Math.abs(change) <= cap) return change;
  const percent = k.display_format !== 'number';
  const amount = percent ? `${(cap * 100).toFixed(2)} 个百分点 pp` : formatKpiValue(cap, { format: 'number', decimals: k.display_decimals ?? 2 });
  const text = change > 0 ? `> +${amount}` : `< -${amount}`;
  const bound = percent ? `${(cap * 100).toFixed(2)}` : amount;
  return notes.capped(
    change,
    text,
    `变动超过 ±${bound}${percent ? ' 个百分点' : ''}，封顶显示`,
    `change beyond ±${bound}${percent ? ' pp' : ''}, shown capped`,
  );
}

/** The RAG cell of a KPI row: its colour, or `no_data` / `too_few` (shown grey, with its words) when the row has no value to judge. @example kpiRag(k) // 'red' */
export function kpiRag(k: KpiValue | undefined): string | null {
  if (!k) return null;
  return k.status === 'no_data' || k.status === 'too_few' ? k.status : k.rag;
}

/**
 * Whether an input (an extract entity or `entity.column`, as metrics declare them) had been
 * delivered by a month end, from `metrics.input_deliveries` (the KPI engine's record, from the load
 * records; docs/kpis.md "Availability"). `undefined` when the warehouse does not record that input.
 *
 * @example
 * await inputDelivery(wh, 'loan_balances.provision_amount', '2026-10-31');
 * // { delivered: false, labelZh: '贷款损失准备（loan_balances.provision_amount）', labelEn: 'loan-loss provisions (loan_balances.provision_amount)' }
 */
export async function inputDelivery(
  wh: WarehouseHandle,
  input: string,
  asOfDate: string,
): Promise<{ delivered: boolean; labelZh: string; labelEn: string } | undefined> {
  const [t] = await wh.all<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'metrics' AND table_name = 'input_deliveries'`,
  );
  if (!t?.n) return undefined;
  const [r] = await wh.all<{ delivered: boolean; label_zh: string; label_en: string }>(
    `SELECT coalesce(first_delivered <= ${lit(asOfDate)}::DATE, false) AS delivered, label_zh, label_en FROM metrics.input_deliveries WHERE input = ${lit(input)}`,
  );
  return r ? { delivered: r.delivered, labelZh: r.label_zh, labelEn: r.label_en } : undefined;
}

/** Key of a KPI value. @example kpiKey('npl_ratio', '2026-10-31') // 'npl_ratio|2026-10-31|all|ALL' */
export function kpiKey(metric: string, month: string, slice = 'all', sliceValue = 'ALL'): string {
  return `${metric}|${month}|${slice}|${sliceValue}`;
}

/** One row of `metrics.metric_catalog` (the columns the reports show). */
export type CatalogRow = Pick<
  MetricsMetricCatalogRow,
  'metric_id' | 'name_zh' | 'name_en' | 'description' | 'formula_text' | 'numerator_text' | 'denominator_text' | 'unit' | 'direction' | 'target' | 'target_text' | 'policy_source' | 'sort_order'
> & {
  /** NULL when the KPI has no tolerance band. */
  tolerance_text: MetricsMetricCatalogRow['tolerance_text'] | null;
  /** `fixed`, `prior_year` or `none` (NULL in an older catalogue). */
  target_kind: MetricsMetricCatalogRow['target_kind'] | null;
  /** How the value is shown (`percent` / `number`), as on the site (NULL in an older catalogue). */
  display_format: MetricsMetricCatalogRow['display_format'] | null;
  display_decimals: MetricsMetricCatalogRow['display_decimals'] | null;
  /** The unit in Chinese (`比率`, `天`, …; NULL in an older catalogue). */
  unit_zh: MetricsMetricCatalogRow['unit_zh'] | null;
  /** The report page of the KPI (`/npl/`, …): its section in the KPI report (NULL in an older catalogue). */
  page: string | null;
  /** The texts' other language (NULL in an older catalogue): description and numerator / denominator in Chinese, formula, target and RAG rule in English. */
  description_zh: string | null;
  formula_text_en: string | null;
  numerator_text_zh: string | null;
  denominator_text_zh: string | null;
  target_text_en: string | null;
  tolerance_text_zh: string | null;
};

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
       ${col('unit')}, ${col('direction')}, ${col('target', 'DOUBLE PRECISION')}, ${col('target_text')}, ${col('tolerance_text')}, ${col('policy_source')},
       ${col('sort_order', 'INTEGER')}, ${col('target_kind')}, ${col('display_format')}, ${col('display_decimals', 'INTEGER')}, ${col('unit_zh')}, ${col('page')},
       ${col('description_zh')}, ${col('formula_text_en')}, ${col('numerator_text_zh')}, ${col('denominator_text_zh')}, ${col('target_text_en')}, ${col('tolerance_text_zh')}
     FROM metrics.metric_catalog ORDER BY sort_order, metric_id`,
  );
}

/**
 * How a KPI's value is shown, from its catalogue row: the same `display_format` /
 * `display_decimals` the report site reads (so AUC reads `0.857` on both). A catalogue written
 * before those columns existed: a ratio as a percentage with 2 decimals, anything else a number
 * with 2 decimals (what the exports did then).
 *
 * @example
 * catalogDisplay(catalog.find((c) => c.metric_id === 'model_auc')!); // { format: 'number', decimals: 3 }
 */
export function catalogDisplay(c: Pick<CatalogRow, 'unit' | 'display_format' | 'display_decimals'>): MetricDisplay {
  if (c.display_format === 'percent' || c.display_format === 'number') return { format: c.display_format, decimals: c.display_decimals ?? 2 };
  return { format: c.unit === 'ratio' ? 'percent' : 'number', decimals: 2 };
}

/** Reporting months of the warehouse (`core.dim_months`) as `YYYY-MM-DD`. @example await reportingMonths(wh) // ['2026-09-30', '2026-10-31'] */
export async function reportingMonths(wh: WarehouseHandle): Promise<string[]> {
  const r = await wh.all<{ m: string }>(`SELECT strftime(as_of_month, '%Y-%m-%d') AS m FROM core.dim_months ORDER BY as_of_month`);
  return r.map((x) => x.m);
}
