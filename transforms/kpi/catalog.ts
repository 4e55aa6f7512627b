import { quoteLiteral as lit, type WarehouseHandle } from '../lib/duckdb.js';
import { activeRules } from '../policy/business-rules.js';
import { availabilityText } from './availability.js';
import { DIMENSIONS, SLICE_OF } from '../warehouse/dimensions.js';
import { displayOf, displaySuffix, priorMonthsOf, targetOp, targetText, targetValueOf, UNIT_LABELS, type MetricDefinition } from './metric.js';

/** Row of `metrics.metric_catalog` as JS values (also used by the docs generator). */
export interface CatalogEntry {
  metric_id: string;
  name_zh: string;
  name_en: string;
  description: string;
  formula_kind: string;
  formula_text: string;
  numerator_text: string;
  denominator_text: string;
  unit: string;
  direction: string;
  target: number | null;
  target_op: string;
  target_text: string;
  tolerance: number;
  tolerance_text: string;
  policy_source: string;
  grain: string;
  dimensions: string;
  sort_order: number;
  /** Comma-separated inputs the KPI needs (`warnings`, `customers.grade`). */
  inputs: string;
  /** Months back the KPI compares with (0: none; 1: the previous month). */
  needs_prior_months: number;
  /** Fewest observations per slice-month (NULL: no minimum). */
  min_observations: number | null;
  /** What the KPI needs, in words (Chinese / English). */
  availability_zh: string;
  availability_en: string;
  /** `fixed`, `prior_year` or `none`: a prior-year target varies per row (kpi_values.target). */
  target_kind: string;
  /** How the value is shown on the site and in the exports: `percent` or `number`… */
  display_format: string;
  /** …with this many decimals. */
  display_decimals: number;
  /** What follows a shown value: `%`, a unit label (`天 days`), or '' (a ratio shown as a plain number). */
  display_suffix: string;
  /** The unit in Chinese (`比率`, `天`, `小时`, `分`). */
  unit_zh: string;
  /** URL path of the site's topic page that shows the KPI (`/npl/`), '' when none. */
  page: string;
  /** Comma-separated named charts that also draw the KPI (`branch_overview,npl_trend`), '' when none. */
  charts: string;
}

/** A tolerance as the value is shown: percentage points for a percent, else the plain number (and its unit). */
function formatInUnit(v: number, m: MetricDefinition): string {
  if (displayOf(m).format === 'percent') return `${+(v * 100).toFixed(4)} pp`;
  if (m.unit === 'ratio') return `${v}`;
  return `${v} ${m.unit === 'score' ? 'points' : m.unit}`;
}

/**
 * The catalog entry of a metric: names, formula text, target and RAG rule in words (derived from
 * the target values and the KPI rules in force), how it is displayed and where the site shows it.
 *
 * @example
 * catalogEntry(nplRatio).target_text; // '≤ 2.00%'
 * catalogEntry(modelAuc).display_decimals; // 3
 */
export function catalogEntry(m: MetricDefinition): CatalogEntry {
  const f = m.formula;
  const [numeratorText, denominatorText] =
    f.kind === 'ratio' ? [f.numerator.text, f.denominator.text] : f.kind === 'aggregate' ? [f.valueText, f.nText] : [f.numeratorText, f.denominatorText];
  const op = targetOp(m);
  const rules = activeRules().kpi;
  const display = displayOf(m);
  const needs = availabilityText(m);
  const side = m.direction === 'lower_is_better' ? 'above' : 'below';
  const toleranceText =
    m.target.kind === 'none'
      ? 'no target: RAG none'
      : `green when value ${op} target; amber when up to ${formatInUnit(m.tolerance, m)} ${side} the target; red beyond`;
  return {
    metric_id: m.id,
    name_zh: m.nameZh,
    name_en: m.nameEn,
    description: m.description,
    formula_kind: f.kind,
    formula_text: f.text,
    numerator_text: numeratorText,
    denominator_text: denominatorText,
    unit: m.unit,
    direction: m.direction,
    target: targetValueOf(m, rules),
    target_op: op,
    target_text: targetText(m, rules),
    tolerance: m.tolerance,
    tolerance_text: toleranceText,
    policy_source: m.policySource,
    grain: m.grain,
    dimensions: m.dimensions.join(','),
    sort_order: m.sortOrder,
    inputs: m.inputs.join(','),
    needs_prior_months: priorMonthsOf(m, rules),
    min_observations: m.minObservations?.count ?? null,
    availability_zh: needs.zh,
    availability_en: needs.en,
    target_kind: m.target.kind,
    display_format: display.format,
    display_decimals: display.decimals,
    display_suffix: displaySuffix(m),
    unit_zh: UNIT_LABELS[m.unit].zh,
    page: m.page ? `/${m.page}/` : '',
    charts: (m.charts ?? []).join(','),
  };
}

/**
 * The columns of `metrics.metric_catalog`, in order: type and description, declared once (the DDL,
 * the insert and the data dictionary, docs/warehouse.md, read this).
 */
export const CATALOG_COLUMNS: { readonly [K in keyof CatalogEntry]: { readonly type: string; readonly description: string } } = {
  metric_id: { type: 'VARCHAR NOT NULL PRIMARY KEY', description: 'KPI id; the table is metrics.kpi_<metric_id>.' },
  name_zh: { type: 'VARCHAR NOT NULL', description: 'Chinese name.' },
  name_en: { type: 'VARCHAR NOT NULL', description: 'English name.' },
  description: { type: 'VARCHAR NOT NULL', description: 'What is measured.' },
  formula_kind: { type: 'VARCHAR NOT NULL', description: 'ratio, aggregate or custom.' },
  formula_text: { type: 'VARCHAR NOT NULL', description: 'The formula in words.' },
  numerator_text: { type: 'VARCHAR', description: 'What the numerator counts.' },
  denominator_text: { type: 'VARCHAR', description: 'What the denominator counts.' },
  unit: { type: 'VARCHAR NOT NULL', description: 'ratio, days, hours or score.' },
  direction: { type: 'VARCHAR NOT NULL', description: 'lower_is_better or higher_is_better.' },
  target: { type: 'DOUBLE', description: 'Fixed target value (NULL for prior-year or no target).' },
  target_op: { type: 'VARCHAR NOT NULL', description: 'Comparison that is green (<=, <, >=, >).' },
  target_text: { type: 'VARCHAR NOT NULL', description: 'Target in words.' },
  tolerance: { type: 'DOUBLE NOT NULL', description: 'Amber band beyond the target, in the unit of the value.' },
  tolerance_text: { type: 'VARCHAR NOT NULL', description: 'The RAG rule in words.' },
  policy_source: { type: 'VARCHAR NOT NULL', description: 'Regulation, guideline or internal policy behind the target.' },
  grain: { type: 'VARCHAR NOT NULL', description: 'month_end.' },
  dimensions: { type: 'VARCHAR NOT NULL', description: 'Comma-separated dimensions the KPI may be sliced by.' },
  sort_order: { type: 'INTEGER NOT NULL', description: 'Display order.' },
  inputs: { type: 'VARCHAR NOT NULL', description: 'Comma-separated extract inputs the KPI needs (entity or entity.column; metrics.input_deliveries).' },
  needs_prior_months: { type: 'INTEGER NOT NULL', description: 'Months back the KPI compares with (0 none, 1 the previous month, 12 the model-validation horizon).' },
  min_observations: { type: 'INTEGER', description: 'Fewest observations per slice-month (NULL: no minimum).' },
  availability_zh: { type: 'VARCHAR NOT NULL', description: 'What the KPI needs, in Chinese.' },
  availability_en: { type: 'VARCHAR NOT NULL', description: 'What the KPI needs, in English.' },
  target_kind: { type: 'VARCHAR NOT NULL', description: 'fixed, prior_year (the target varies per row: kpi_values.target) or none.' },
  display_format: { type: 'VARCHAR NOT NULL', description: 'How the value is shown on the site and in the exports: percent (× 100, %) or number.' },
  display_decimals: { type: 'INTEGER NOT NULL', description: 'Decimals of the shown value (2.31% → 2; AUC 0.857 → 3).' },
  display_suffix: { type: 'VARCHAR NOT NULL', description: "What follows a shown value: %, a unit label (天 days), or '' (a ratio shown as a plain number)." },
  unit_zh: { type: 'VARCHAR NOT NULL', description: 'The unit in Chinese (比率, 天, 小时, 分).' },
  page: { type: 'VARCHAR NOT NULL', description: "URL path of the report site's topic page that shows the KPI (/npl/); '' when none." },
  charts: { type: 'VARCHAR NOT NULL', description: "Comma-separated named site charts that also draw the KPI (branch_overview, npl_trend); '' when none." },
};

const CATALOG_DDL = `CREATE OR REPLACE TABLE metrics.metric_catalog (
  ${Object.entries(CATALOG_COLUMNS).map(([name, c]) => `${name} ${c.type}`).join(',\n  ')})`;

/**
 * Writes `metrics.metric_catalog` (one row per metric) from the metric definitions.
 *
 * @example
 * await writeCatalog(wh, await discoverMetrics());
 */
export async function writeCatalog(wh: WarehouseHandle, metrics: readonly MetricDefinition[]): Promise<void> {
  await wh.exec(CATALOG_DDL);
  if (metrics.length === 0) return;
  const columns = Object.keys(CATALOG_COLUMNS) as (keyof CatalogEntry)[];
  const v = (x: string | number | null) => (x === null ? 'NULL' : typeof x === 'number' ? String(x) : lit(x));
  const rows = metrics.map((m) => {
    const e = catalogEntry(m);
    return `(${columns.map((c) => v(e[c])).join(', ')})`;
  });
  await wh.exec(`INSERT INTO metrics.metric_catalog VALUES ${rows.join(',\n')}`);
}

const LABELS: Record<string, string> = {
  individual: '个人客户',
  small_business: '小微企业',
  A: 'A 优质',
  B: 'B 一般',
  C: 'C 高风险',
  ungraded: '未分级',
  unknown: '未知',
};

/**
 * Writes `metrics.kpi_values`, the long union of every `metrics.kpi_<id>` table that the
 * report site reads: metric_id, as_of_month, slice ('all' | 'branch' | 'product' |
 * 'customer_type' | 'grade'), slice_value ('ALL' for the whole book), numerator, denominator,
 * value, target, rag, status ('measured' | 'no_data'), reason_code, reason_zh, reason_en — plus
 * slice_label (a display name) at the end.
 *
 * @example
 * await writeKpiValues(wh, metrics);
 */
export async function writeKpiValues(wh: WarehouseHandle, metrics: readonly MetricDefinition[]): Promise<void> {
  const sliceCase = `CASE ${DIMENSIONS.map((d) => `WHEN k.${d} IS NOT NULL THEN '${SLICE_OF[d]}'`).join(' ')} ELSE 'all' END`;
  const valueExpr = `coalesce(${DIMENSIONS.map((d) => `k.${d}`).join(', ')}, 'ALL')`;
  const parts = metrics.map(
    (m) => `SELECT ${lit(m.id)} AS metric_id, ${m.sortOrder} AS _sort, k.as_of_month, ${sliceCase} AS slice, ${valueExpr} AS slice_value,
      k.numerator, k.denominator, k.value, k.target, k.rag, k.status, k.reason_code, k.reason_zh, k.reason_en FROM metrics.kpi_${m.id} k`,
  );
  const labels = `(VALUES ${Object.entries(LABELS).map(([k, v]) => `(${lit(k)}, ${lit(v)})`).join(', ')}) AS lbl(code, label)`;
  const body = parts.length
    ? parts.join('\nUNION ALL\n')
    : `SELECT NULL::VARCHAR AS metric_id, 0 AS _sort, NULL::DATE AS as_of_month, NULL::VARCHAR AS slice, NULL::VARCHAR AS slice_value,
        NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator, NULL::DOUBLE AS value, NULL::DOUBLE AS target, NULL::VARCHAR AS rag,
        NULL::VARCHAR AS status, NULL::VARCHAR AS reason_code, NULL::VARCHAR AS reason_zh, NULL::VARCHAR AS reason_en WHERE false`;
  await wh.exec(`CREATE OR REPLACE TABLE metrics.kpi_values AS
    SELECT u.metric_id, u.as_of_month, u.slice, u.slice_value, u.numerator, u.denominator, u.value, u.target, u.rag,
      u.status, u.reason_code, u.reason_zh, u.reason_en,
      CASE u.slice WHEN 'all' THEN '全部' WHEN 'branch' THEN coalesce(b.branch_name_zh, u.slice_value)
        WHEN 'product' THEN coalesce(p.product_name_zh, u.slice_value) ELSE coalesce(lbl.label, u.slice_value) END AS slice_label
    FROM (${body}) u
    LEFT JOIN core.dim_branches b ON u.slice = 'branch' AND b.branch_id = u.slice_value
    LEFT JOIN core.dim_products p ON u.slice = 'product' AND p.product_id = u.slice_value
    LEFT JOIN ${labels} ON u.slice IN ('customer_type', 'grade') AND lbl.code = u.slice_value
    ORDER BY u._sort, u.metric_id, u.as_of_month, u.slice, u.slice_value`);
}
