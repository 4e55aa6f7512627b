import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { activeRules } from '../policy/business-rules.js';
import { availabilityText } from './availability.js';
import { DIMENSIONS, SLICE_OF } from '../warehouse/dimensions.js';
import {
  capTextOf, changeCapOf, displayOf, displaySuffix, minObservationsOf, opSymbol, priorMonthsOf, targetOp, targetText, targetTextEn, targetValueOf, UNIT_LABELS, valueRangeOf,
  type MetricDefinition,
} from './metric.js';
import { RAG_RANK, ragDigits, STATUS_LABELS } from './rag.js';

/** Row of `metrics.metric_catalog` as JS values (also used by the docs generator). */
export interface CatalogEntry {
  metric_id: string;
  name_zh: string;
  name_en: string;
  /** What is measured, in English / Chinese. */
  description: string;
  description_zh: string;
  formula_kind: string;
  /** The formula in words, in Chinese / English. */
  formula_text: string;
  formula_text_en: string;
  /** What the numerator (an aggregate's value) counts, in English / Chinese. */
  numerator_text: string;
  numerator_text_zh: string;
  /** What the denominator (an aggregate's sample size) counts, in English / Chinese. */
  denominator_text: string;
  denominator_text_zh: string;
  unit: string;
  direction: string;
  target: number | null;
  target_op: string;
  target_text: string;
  /** The target in English (`Prior year − 3 pp`; a fixed target reads as target_text). */
  target_text_en: string;
  tolerance: number;
  /** The RAG rule in English / Chinese. */
  tolerance_text: string;
  tolerance_text_zh: string;
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
  /** Decimals, in the value's own unit, at which value and target are rounded before the RAG is judged (percent 2 → 4). */
  rag_digits: number;
  /** What the sample size kpi_values.n counts (Chinese / English), '' when the KPI has no minimum sample. */
  sample_text_zh: string;
  sample_text_en: string;
  /** The minimum sample in words (every rule, Chinese / English), '' when none. */
  min_sample_zh: string;
  min_sample_en: string;
  /** Lowest / highest value the KPI can take (derived targets are clamped into it); NULL: unbounded. */
  value_min: number | null;
  value_max: number | null;
  /** Display cap in the value's unit (10 = 1,000 %): above it the value is shown as display_cap_text with a cap marker; NULL: none. */
  display_cap: number | null;
  /** What is shown for a value above the cap (`> 1,000%`), '' when none. */
  display_cap_text: string;
  /** Largest |month-on-month / year-on-year change| shown as a number, in the value's unit (1 = 100 pp); NULL: none. */
  change_cap: number | null;
}

/** A tolerance in Chinese: 个百分点 for a percent, else the number and its unit (`2 分`). */
function formatInUnitZh(v: number, m: MetricDefinition): string {
  if (displayOf(m).format === 'percent') return `${+(v * 100).toFixed(4)} 个百分点`;
  if (m.unit === 'ratio') return `${v}`;
  return `${v} ${UNIT_LABELS[m.unit].zh}`;
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
  const [numeratorText, denominatorText, numeratorTextZh, denominatorTextZh] =
    f.kind === 'ratio'
      ? [f.numerator.text, f.denominator.text, f.numerator.textZh, f.denominator.textZh]
      : f.kind === 'aggregate'
        ? [f.valueText, f.nText, f.valueTextZh, f.nTextZh]
        : [f.numeratorText, f.denominatorText, f.numeratorTextZh, f.denominatorTextZh];
  const op = targetOp(m);
  const rules = activeRules().kpi;
  const display = displayOf(m);
  const needs = availabilityText(m);
  const mins = minObservationsOf(m);
  const range = valueRangeOf(m);
  const side = m.direction === 'lower_is_better' ? 'above' : 'below';
  const toleranceText =
    m.target.kind === 'none'
      ? 'no target: RAG none'
      : `green when value ${op} target; amber when up to ${formatInUnit(m.tolerance, m)} ${side} the target; red beyond`;
  const toleranceTextZh =
    m.target.kind === 'none'
      ? `无目标，不评定红黄绿`
      : `指标值 ${opSymbol(op)} 目标为达标（绿）；${m.direction === 'lower_is_better' ? '高于' : '低于'}目标 ${formatInUnitZh(m.tolerance, m)}以内为预警（黄）；超出为未达标（红）`;
  return {
    metric_id: m.id,
    name_zh: m.nameZh,
    name_en: m.nameEn,
    description: m.description,
    description_zh: m.descriptionZh,
    formula_kind: f.kind,
    formula_text: f.text,
    formula_text_en: f.textEn,
    numerator_text: numeratorText,
    numerator_text_zh: numeratorTextZh,
    denominator_text: denominatorText,
    denominator_text_zh: denominatorTextZh,
    unit: m.unit,
    direction: m.direction,
    target: targetValueOf(m, rules),
    target_op: op,
    target_text: targetText(m, rules),
    target_text_en: targetTextEn(m, rules),
    tolerance: m.tolerance,
    tolerance_text: toleranceText,
    tolerance_text_zh: toleranceTextZh,
    policy_source: m.policySource,
    grain: m.grain,
    dimensions: m.dimensions.join(','),
    sort_order: m.sortOrder,
    inputs: m.inputs.join(','),
    needs_prior_months: priorMonthsOf(m, rules),
    min_observations: mins[0]?.count ?? null,
    availability_zh: needs.zh,
    availability_en: needs.en,
    target_kind: m.target.kind,
    display_format: display.format,
    display_decimals: display.decimals,
    display_suffix: displaySuffix(m),
    unit_zh: UNIT_LABELS[m.unit].zh,
    page: m.page ? `/${m.page}/` : '',
    charts: (m.charts ?? []).join(','),
    rag_digits: ragDigits(display),
    sample_text_zh: mins[0]?.textZh ?? '',
    sample_text_en: mins[0]?.textEn ?? '',
    min_sample_zh: mins.map((o) => `${o.textZh}至少 ${o.count} 个`).join('，且'),
    min_sample_en: mins.map((o) => `at least ${o.count} ${o.textEn}`).join(' and '),
    value_min: range.min,
    value_max: range.max,
    display_cap: m.displayCap ?? null,
    display_cap_text: capTextOf(m),
    change_cap: changeCapOf(m),
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
  description: { type: 'VARCHAR NOT NULL', description: 'What is measured, in English (reader-facing: no table, column, file or code names).' },
  description_zh: { type: 'VARCHAR NOT NULL', description: 'What is measured, in Chinese (reader-facing).' },
  formula_kind: { type: 'VARCHAR NOT NULL', description: 'ratio, aggregate or custom.' },
  formula_text: { type: 'VARCHAR NOT NULL', description: 'The formula in words, in Chinese.' },
  formula_text_en: { type: 'VARCHAR NOT NULL', description: 'The formula in words, in English.' },
  numerator_text: { type: 'VARCHAR NOT NULL', description: "What the numerator counts, in English (an aggregate KPI: what its value is)." },
  numerator_text_zh: { type: 'VARCHAR NOT NULL', description: 'What the numerator counts, in Chinese.' },
  denominator_text: { type: 'VARCHAR NOT NULL', description: 'What the denominator counts, in English (an aggregate KPI: its sample size).' },
  denominator_text_zh: { type: 'VARCHAR NOT NULL', description: 'What the denominator counts, in Chinese.' },
  unit: { type: 'VARCHAR NOT NULL', description: 'ratio, days, hours or score.' },
  direction: { type: 'VARCHAR NOT NULL', description: 'lower_is_better or higher_is_better.' },
  target: { type: 'DOUBLE PRECISION', description: 'Fixed target value (NULL for prior-year or no target).' },
  target_op: { type: 'VARCHAR NOT NULL', description: 'Comparison that is green (<=, <, >=, >).' },
  target_text: { type: 'VARCHAR NOT NULL', description: 'Target in words, Chinese (≤ 2.00%, 上年同月 − 3 个百分点, 无目标).' },
  target_text_en: { type: 'VARCHAR NOT NULL', description: 'Target in words, English (≤ 2.00%, Prior year − 3 pp, No target).' },
  tolerance: { type: 'DOUBLE PRECISION NOT NULL', description: 'Amber band beyond the target, in the unit of the value.' },
  tolerance_text: { type: 'VARCHAR NOT NULL', description: 'The RAG rule in English.' },
  tolerance_text_zh: { type: 'VARCHAR NOT NULL', description: 'The RAG rule in Chinese.' },
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
  rag_digits: { type: 'INTEGER NOT NULL', description: 'Decimals, in the value’s own unit, to which value and target are rounded before the RAG is judged (a percent with 2 decimals: 4), so the colour agrees with the shown value.' },
  sample_text_zh: { type: 'VARCHAR NOT NULL', description: "What the sample size kpi_values.n counts, in Chinese; '' when the KPI has no minimum sample." },
  sample_text_en: { type: 'VARCHAR NOT NULL', description: "What the sample size kpi_values.n counts, in English; '' when none." },
  min_sample_zh: { type: 'VARCHAR NOT NULL', description: "The minimum sample in Chinese (all rules); below it status too_few; '' when none." },
  min_sample_en: { type: 'VARCHAR NOT NULL', description: "The minimum sample in English (all rules); '' when none." },
  value_min: { type: 'DOUBLE PRECISION', description: 'Lowest value the KPI can take; a derived (prior-year) target is clamped to it (NULL: unbounded).' },
  value_max: { type: 'DOUBLE PRECISION', description: 'Highest value the KPI can take (1 for a share, 100 for a 0–100 score); derived targets are clamped to it (NULL: unbounded).' },
  display_cap: { type: 'DOUBLE PRECISION', description: 'Display cap in the value’s unit (10 = 1,000 %): a larger value is shown as display_cap_text with a cap marker (NULL: no cap).' },
  display_cap_text: { type: 'VARCHAR NOT NULL', description: "What is shown for a value above display_cap (> 1,000%); '' when no cap." },
  change_cap: { type: 'DOUBLE PRECISION', description: 'Largest |month-on-month or year-on-year change| shown as a number, in the value’s unit (1 = 100 pp); beyond it the change is shown capped (NULL: no cap).' },
};

const CATALOG_DDL = `DROP TABLE IF EXISTS metrics.metric_catalog;
CREATE TABLE metrics.metric_catalog (
  ${Object.entries(CATALOG_COLUMNS).map(([name, c]) => `${name} ${c.type}`).join(',\n  ')})`;

/**
 * Writes `metrics.metric_catalog` (one row per metric) from the metric definitions.
 *
 * @example
 * await writeCatalog(wh, await discoverMetrics());
 */
export async function writeCatalog(wh: WarehouseHandle, metrics: readonly MetricDefinition[]): Promise<void> {
  await writeStatusLabels(wh);
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
 * Writes `metrics.status_labels` from {@link STATUS_LABELS} (the one home of the status words), so
 * SQL (the site's kpi_values source, exports, the console) prints the same words: one row per status
 * word — `status` (green, amber, red, none, no_data, too_few), `label_zh`, `label_en`, `label`
 * ('达标 On target') and `rank` (green 3 > amber 2 > red 1; NULL for the rest: never a "turn").
 *
 * @example
 * await writeStatusLabels(wh);
 * await wh.all("SELECT label FROM metrics.status_labels WHERE status = 'too_few'"); // [{ label: '样本不足 Too few' }]
 */
export async function writeStatusLabels(wh: WarehouseHandle): Promise<void> {
  const rows = Object.entries(STATUS_LABELS).map(
    ([k, l]) => `(${lit(k)}, ${lit(l.zh)}, ${lit(l.en)}, ${lit(`${l.zh} ${l.en}`)}, ${RAG_RANK[k as keyof typeof RAG_RANK] ?? 'NULL'})`,
  );
  await wh.exec(`CREATE SCHEMA IF NOT EXISTS metrics;
    DROP TABLE IF EXISTS metrics.status_labels;
    CREATE TABLE metrics.status_labels (status VARCHAR NOT NULL PRIMARY KEY, label_zh VARCHAR NOT NULL, label_en VARCHAR NOT NULL,
      label VARCHAR NOT NULL, rank INTEGER);
    INSERT INTO metrics.status_labels VALUES ${rows.join(', ')}`);
}

/**
 * Writes `metrics.kpi_values`, the long union of every `metrics.kpi_<id>` table that the
 * report site and the exports read: metric_id, as_of_month, slice ('all' | 'branch' | 'product' |
 * 'customer_type' | 'grade'), slice_value ('ALL' for the whole book), numerator, denominator,
 * value, target, rag, status ('measured' | 'no_data' | 'too_few'), reason_code, reason_zh, reason_en,
 * slice_label (a display name), then:
 * - `n` (sample size, the first minimum-sample measure; NULL without a minimum), `baseline` (the
 *   prior-year value a derived target starts from), `target_clamped`, `target_text` (the row's
 *   target in words), as in `metrics.kpi_<id>`;
 * - `status_word` (the key into metrics.status_labels: green/amber/red/none when measured, else
 *   no_data/too_few) and `status_label` ('达标 On target');
 * - `prev_value` (the previous month's value when it was measured, else NULL: no month-on-month
 *   change from a too-few or no-data month), `prev_status_word`, and `status_change` vs the previous
 *   month: 'better' | 'worse' | 'target_moved' | NULL ({@link statusChange}'s rule: ranks green >
 *   amber > red, values and targets compared at the display precision).
 *
 * @example
 * await writeKpiValues(wh, metrics);
 */
export async function writeKpiValues(wh: WarehouseHandle, metrics: readonly MetricDefinition[]): Promise<void> {
  const sliceCase = `CASE ${DIMENSIONS.map((d) => `WHEN k.${d} IS NOT NULL THEN '${SLICE_OF[d]}'`).join(' ')} ELSE 'all' END`;
  const valueExpr = `coalesce(${DIMENSIONS.map((d) => `k.${d}`).join(', ')}, 'ALL')`;
  const parts = metrics.map(
    (m) => `SELECT ${lit(m.id)} AS metric_id, ${m.sortOrder} AS _sort, ${ragDigits(displayOf(m))} AS _digits, ${lit(m.direction)} AS _dir,
      k.as_of_month, ${sliceCase} AS slice, ${valueExpr} AS slice_value,
      k.numerator, k.denominator, k.value, k.target, k.rag, k.status, k.reason_code, k.reason_zh, k.reason_en,
      k.n, k.baseline, k.target_clamped, k.target_text FROM metrics.kpi_${m.id} k`,
  );
  const labels = `(VALUES ${Object.entries(LABELS).map(([k, v]) => `(${lit(k)}, ${lit(v)})`).join(', ')}) AS lbl(code, label)`;
  const body = parts.length
    ? parts.join('\nUNION ALL\n')
    : `SELECT NULL::VARCHAR AS metric_id, 0 AS _sort, 0 AS _digits, NULL::VARCHAR AS _dir, NULL::DATE AS as_of_month, NULL::VARCHAR AS slice, NULL::VARCHAR AS slice_value,
        NULL::DOUBLE PRECISION AS numerator, NULL::DOUBLE PRECISION AS denominator, NULL::DOUBLE PRECISION AS value, NULL::DOUBLE PRECISION AS target, NULL::VARCHAR AS rag,
        NULL::VARCHAR AS status, NULL::VARCHAR AS reason_code, NULL::VARCHAR AS reason_zh, NULL::VARCHAR AS reason_en,
        NULL::DOUBLE PRECISION AS n, NULL::DOUBLE PRECISION AS baseline, NULL::BOOLEAN AS target_clamped, NULL::VARCHAR AS target_text WHERE false`;
  // The twin of statusChange (rag.ts): a turn only between two colours; 'target_moved' when the
  // shown value moved the other way (or not at all) and the shown target moved.
  const up = 'sc.rank > sp.rank';
  const delta = 'round(w.value, w._digits) - round(p.value, w._digits)';
  const valueBetter = `CASE WHEN w._dir = 'lower_is_better' THEN ${delta} < 0 ELSE ${delta} > 0 END`;
  const targetMoved = 'round(w.target, w._digits) IS DISTINCT FROM round(p.target, w._digits)';
  const statusChange = `CASE WHEN sp.rank IS NULL OR sc.rank IS NULL OR sp.rank = sc.rank THEN NULL
      WHEN ${targetMoved} AND (${valueBetter}) IS DISTINCT FROM (${up}) THEN 'target_moved'
      WHEN ${up} THEN 'better' ELSE 'worse' END`;
  await wh.exec(`DROP TABLE IF EXISTS metrics.kpi_values;
    CREATE TABLE metrics.kpi_values AS
    WITH u AS (${body}),
    w AS (SELECT u.*, CASE WHEN u.status = 'measured' THEN u.rag ELSE u.status END AS status_word FROM u)
    SELECT w.metric_id, w.as_of_month, w.slice, w.slice_value, w.numerator, w.denominator, w.value, w.target, w.rag,
      w.status, w.reason_code, w.reason_zh, w.reason_en,
      CASE w.slice WHEN 'all' THEN '全部' WHEN 'branch' THEN coalesce(b.branch_name_zh, w.slice_value)
        WHEN 'product' THEN coalesce(pr.product_name_zh, w.slice_value) ELSE coalesce(lbl.label, w.slice_value) END AS slice_label,
      w.n, w.baseline, w.target_clamped, w.target_text, w.status_word, sc.label AS status_label,
      CASE WHEN p.status = 'measured' THEN p.value END AS prev_value, p.status_word AS prev_status_word,
      ${statusChange} AS status_change
    FROM w
    LEFT JOIN w p ON p.metric_id = w.metric_id AND p.slice = w.slice AND p.slice_value = w.slice_value
      AND p.as_of_month = CAST(last_day(w.as_of_month - INTERVAL '1 month') AS DATE)
    LEFT JOIN metrics.status_labels sc ON sc.status = w.status_word
    LEFT JOIN metrics.status_labels sp ON sp.status = p.status_word
    LEFT JOIN core.dim_branches b ON w.slice = 'branch' AND b.branch_id = w.slice_value
    LEFT JOIN core.dim_products pr ON w.slice = 'product' AND pr.product_id = w.slice_value
    LEFT JOIN ${labels} ON w.slice IN ('customer_type', 'grade') AND lbl.code = w.slice_value
    ORDER BY w._sort, w.metric_id, w.as_of_month, w.slice, w.slice_value`);
}
