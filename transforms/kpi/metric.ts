import type { Compilable, Kysely } from 'kysely';
import type { Warehouse } from '../lib/warehouse-types.generated.js';
import type { KpiRules } from '../policy/kpi-rules.js';
import type { TargetOp } from '../policy/kpi-targets.js';
import type { Dimension } from '../warehouse/dimensions.js';

/** How a KPI value is expressed. */
export type MetricUnit = 'ratio' | 'days' | 'hours' | 'score';

/** Which way is good. */
export type MetricDirection = 'lower_is_better' | 'higher_is_better';

/** Comparison that makes a value "on target" (green): `<=`, `<`, `>=` or `>` (also the `op` of policy/kpi-targets.yaml). */
export type { TargetOp } from '../policy/kpi-targets.js';

/**
 * How a KPI value is shown, on the report site and in the exports alike:
 * - `percent`: the value × 100 with `decimals` decimals and `%` (0.0231 → `2.31%`); a change is
 *   in percentage points (`+0.12 pp`);
 * - `number`: the value with `decimals` decimals, followed on the site by the unit's label
 *   (`12.5 天 days`; none for a ratio shown as a plain number, e.g. AUC `0.857`).
 * Default ({@link displayOf}): a ratio is `percent` with 2 decimals; days, hours and scores are
 * `number` with 1 decimal.
 */
export interface MetricDisplay {
  readonly format: 'percent' | 'number';
  readonly decimals: number;
}

/**
 * A topic page of the report site: the file `pages/<name>.md`, shown at `/<name>/`. The page shows
 * every KPI whose catalog `page` is its own (page SQL filters `metric_catalog.page`).
 */
export type MetricPage = 'npl' | 'migration' | 'early-warning' | 'customers' | 'model' | 'credit-files';

/** Topic pages of the report site (see {@link MetricPage}). */
export const METRIC_PAGES: readonly MetricPage[] = ['npl', 'migration', 'early-warning', 'customers', 'model', 'credit-files'];

/** A number, or a function of the KPI rules in force (`policy/kpi-rules.yaml`), e.g. `(r) => r.warnings.coverageLeadDays`. */
export type RuleValue = number | ((rules: KpiRules) => number);

/**
 * A relation a formula reads: a table name (`marts.mart_x`), a SELECT as SQL text, or a
 * Kysely builder (compiled without parameters; use `sql.lit` for constants).
 */
export type SqlSource = string | ((db: Kysely<Warehouse>) => Compilable<unknown>);

/** One side of a ratio: an aggregate over a source relation. */
export interface MeasureDefinition {
  /** Relation with `as_of_month` and the metric's dimension columns. */
  readonly from: SqlSource;
  /** Aggregate SQL over `from`, summed exactly (DECIMAL / integers), e.g. `sum(npl_balance)`. */
  readonly measure: string;
  /** What is counted, in English words (docs and catalog): reader-facing, no table, column or code names. */
  readonly text: string;
  /** What is counted, in Chinese (catalog `*_text_zh`): reader-facing, no table, column or code names. */
  readonly textZh: string;
}

/** What a custom formula's SQL receives. */
export interface CustomContext {
  /**
   * Name of a relation holding the source rows once per slice: `_set` (0 = whole book, then
   * one per allowed dimension), `as_of_month`, the four dimension columns (the slice's own
   * dimension filled, the others NULL) and every other source column.
   */
  readonly sliced: string;
  /** `as_of_month, _set, branch_id, product_id, customer_type, grade`: the columns that identify a slice-month. */
  readonly groupCols: string;
}

/**
 * The formula of a KPI. Every text is reader-facing (glossary, export definitions sheet) and comes in
 * both languages: `text` (Chinese) / `textEn`; a measure's `text` (English) / `textZh`. Reader-facing
 * texts never name warehouse tables, columns, docs files or code (test/kpi/kpi-texts.test.ts):
 * such notes belong in code comments.
 *
 * - `ratio`: Σ numerator ÷ Σ denominator per month and slice (re-sliceable: sums, never averages of rates);
 * - `aggregate`: one aggregate value per month and slice (e.g. a median); numerator is NULL and
 *   denominator the sample size;
 * - `custom`: SQL over the sliced source for values that need window functions (AUC, KS).
 */
export type MetricFormula =
  | { readonly kind: 'ratio'; readonly text: string; readonly textEn: string; readonly numerator: MeasureDefinition; readonly denominator: MeasureDefinition }
  | {
      readonly kind: 'aggregate';
      readonly text: string;
      readonly textEn: string;
      readonly from: SqlSource;
      /** Aggregate SQL giving the value, e.g. `median(hours_to_verify)`. */
      readonly value: string;
      /** Aggregate SQL giving the sample size, e.g. `count(hours_to_verify)`. */
      readonly n: string;
      /** The value in words, English / Chinese (catalog numerator_text / numerator_text_zh). */
      readonly valueText: string;
      readonly valueTextZh: string;
      /** The sample size in words, English / Chinese (catalog denominator_text / denominator_text_zh). */
      readonly nText: string;
      readonly nTextZh: string;
    }
  | {
      readonly kind: 'custom';
      readonly text: string;
      readonly textEn: string;
      readonly from: SqlSource;
      /** SELECT returning `as_of_month, branch_id, product_id, customer_type, grade, numerator, denominator, value` per slice-month. */
      readonly sql: (ctx: CustomContext) => string;
      readonly numeratorText: string;
      readonly numeratorTextZh: string;
      readonly denominatorText: string;
      readonly denominatorTextZh: string;
    };

/**
 * The target of a KPI. Its text (catalog `target_text`, site tiles, exports, docs) is derived from
 * these values ({@link targetText}), never written by hand:
 * - `fixed`: a constant (e.g. NPL ratio ≤ 2%), or a function of the KPI rules so that an
 *   overridden rule moves the target (and its text) with it;
 * - `prior_year`: the KPI's own value for the same month and slice one year earlier plus
 *   `delta` (`points`: added in the value's unit, e.g. −0.03 = 3 percentage points lower;
 *   `relative`: value × (1 + delta)); stored per row in `kpi_<id>.target`;
 * - `none`: no target (RAG is 'none').
 */
export type MetricTarget =
  | { readonly kind: 'fixed'; readonly value: RuleValue; readonly op?: TargetOp }
  | { readonly kind: 'prior_year'; readonly delta: number; readonly deltaMode: 'points' | 'relative' }
  /** `text` / `textEn`: why there is none, e.g. '无（配套指标）' / 'None (companion indicator)' (default '无目标' / 'No target'). */
  | { readonly kind: 'none'; readonly text?: undefined; readonly textEn?: undefined }
  | { readonly kind: 'none'; readonly text: string; readonly textEn: string };

/**
 * An extract input a KPI needs (docs/kpis.md, "Availability"): an entity of the contract
 * (`'warnings'`: the file was delivered, even with 0 rows) or one of its columns
 * (`'loan_balances.provision_amount'`: delivered with real values — not a mapping default for the
 * whole column, and for an optional column at least one non-empty value).
 */
export type MetricInput = string;

/**
 * The fewest observations a slice-month needs before its value is shown: below it the row's status
 * is `too_few` (reason `too_few_observations`): no colour, the value is kept in the warehouse but
 * shown as "样本不足 Too few" with the sample size (kpi_values.n).
 */
export interface MinObservations {
  /** Minimum count (≥ 1). */
  readonly count: number;
  /** Aggregate SQL over the formula's source (the denominator's for a ratio) giving the count, e.g. `sum(scores)`. */
  readonly measure: string;
  /** What is counted, in Chinese and English (reason text, docs). */
  readonly textZh: string;
  readonly textEn: string;
}

/** One KPI, declared once in `metrics/<id-with-dashes>.ts`. */
export interface MetricDefinition {
  /** snake_case id; the file is the id with dashes (`npl_ratio` → `metrics/npl-ratio.ts`), the table `metrics.kpi_<id>`. */
  readonly id: string;
  readonly nameZh: string;
  readonly nameEn: string;
  /** What is measured, in English (catalog `description`): reader-facing, no table, column, file or code names. */
  readonly description: string;
  /** What is measured, in Chinese (catalog `description_zh`), in the terms of the rules it follows (五级分类 per 《商业银行金融资产风险分类办法》). */
  readonly descriptionZh: string;
  readonly unit: MetricUnit;
  readonly direction: MetricDirection;
  /** Only month-end KPIs exist today. */
  readonly grain: 'month_end';
  /** Dimensions the KPI may be sliced by (each alone; the whole book is always computed). */
  readonly dimensions: readonly Dimension[];
  readonly formula: MetricFormula;
  readonly target: MetricTarget;
  /**
   * Amber band beyond the target, in the value's unit (absolute): lower-is-better KPIs are
   * amber up to target + tolerance, higher-is-better down to target − tolerance; red beyond.
   */
  readonly tolerance: number;
  /** Regulation, guideline or internal policy the target comes from. */
  readonly policySource: string;
  /** Display order in the catalog, on the site and in the exports. */
  readonly sortOrder: number;
  /** How the value is shown (site and exports). Default from `unit`: see {@link displayOf}. */
  readonly display?: MetricDisplay;
  /**
   * The site's topic page that shows this KPI (its board and slice matrix), e.g. `'npl'` → `/npl/`.
   * Without one the KPI is shown only where an export template or the home page lists it.
   */
  readonly page?: MetricPage;
  /**
   * Named charts besides the topic page's board that draw this KPI (catalog `charts`, one row per
   * chart in the site source `metric_charts`): e.g. `'branch_overview'` (the home page's branch
   * matrix), `'npl_trend'`. A page selects a chart's KPIs by name, never by metric id.
   */
  readonly charts?: readonly string[];
  /**
   * The extract inputs the KPI needs: entities (`'warnings'`) or entity columns
   * (`'customers.grade'`) of the contract. A month up to which one of them was never delivered is
   * `no_data`, reason `input_not_delivered` (docs/kpis.md, "Availability").
   */
  readonly inputs: readonly MetricInput[];
  /**
   * The KPI compares with an earlier month: that month (this many months back; 1 = the previous
   * month, or a function of the KPI rules, e.g. the model-validation horizon) must be a reporting
   * month, else `no_data`, reason `no_prior_month`. Default: none.
   */
  readonly needsPriorMonth?: number | ((rules: KpiRules) => number);
  /**
   * The KPI measures movements since the previous year end (Dec 31 of the year before the month; the
   * year-to-date migration rates): that month end must be a reporting month, else `no_data`, reason
   * `no_prior_month`. Default: false.
   */
  readonly needsPriorYearEnd?: boolean;
  /**
   * Fewest observations per slice-month, else status `too_few` (reason `too_few_observations`).
   * One minimum, or several that must all hold (AUC: ≥ 30 scores and ≥ 5 defaulters and ≥ 5
   * non-defaulters); the FIRST one's measure is the row's sample size `n`. Default: none.
   */
  readonly minObservations?: MinObservations | readonly MinObservations[];
  /**
   * The values the KPI can take (default: `{ min: 0, max: null }`, no value is negative). A target
   * derived from a baseline (`prior_year`) is clamped into this range (churn: 2.30 % − 3 points →
   * 0.00 %, stated "下限 0"); a share declares `max: 1`, a 0–100 score `max: 100`.
   */
  readonly valueRange?: { readonly min: number | null; readonly max: number | null };
  /**
   * Display cap (in the value's unit): a value above it is shown as "> cap" with a cap marker
   * (provision coverage 10 = "> 1,000%"), never a five-digit percentage. Default: none.
   */
  readonly displayCap?: number;
  /**
   * Largest month-on-month / year-on-year change (absolute, in the value's unit) shown as a number;
   * beyond it the change is shown capped ("> +100.00 pp"). Default: 1 (100 percentage points) for a
   * KPI shown as a percent, none otherwise.
   */
  readonly changeCap?: number;
}

/**
 * The minimum-sample rules of a KPI as a list (first = the sample size `n`); [] without one.
 *
 * @example
 * minObservationsOf(modelAuc).map((o) => o.count); // [30, 5, 5]
 */
export function minObservationsOf(m: Pick<MetricDefinition, 'minObservations'>): readonly MinObservations[] {
  const o = m.minObservations;
  if (o === undefined) return [];
  return Array.isArray(o) ? (o as readonly MinObservations[]) : [o as MinObservations];
}

/**
 * The range a KPI's values (and its derived targets) lie in.
 *
 * @example
 * valueRangeOf(churnRate); // { min: 0, max: 1 }
 */
export function valueRangeOf(m: Pick<MetricDefinition, 'valueRange'>): { min: number | null; max: number | null } {
  return { min: m.valueRange?.min ?? 0, max: m.valueRange?.max ?? null };
}

/**
 * The largest change shown as a number (see {@link MetricDefinition.changeCap}); null: no cap.
 *
 * @example
 * changeCapOf(nplRatio); // 1 (100 pp)
 */
export function changeCapOf(m: Pick<MetricDefinition, 'changeCap' | 'unit' | 'display'>): number | null {
  if (m.changeCap !== undefined) return m.changeCap;
  return displayOf(m).format === 'percent' ? 1 : null;
}

/**
 * Declares a KPI (identity helper that type-checks it). One file per KPI under `metrics/`.
 *
 * @example
 * export default defineMetric({
 *   id: 'npl_ratio', nameZh: '不良贷款率', nameEn: 'NPL ratio', description: '…', descriptionZh: '…', unit: 'ratio',
 *   direction: 'lower_is_better', grain: 'month_end', dimensions: ['branch_id', 'product_id'],
 *   formula: { kind: 'ratio', text: '不良贷款余额 ÷ 各项贷款余额', textEn: 'NPL balance ÷ total loans',
 *     numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'NPL balance', textZh: '不良贷款余额' },
 *     denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Total loans', textZh: '各项贷款余额' } },
 *   target: { kind: 'fixed', value: 0.02, op: '<=' }, tolerance: 0.005,
 *   policySource: '商业银行风险监管核心指标', sortOrder: 10, inputs: ['loan_balances'],
 *   page: 'npl', charts: ['npl_trend'],
 * });
 */
export function defineMetric<const M extends MetricDefinition>(metric: M): M {
  return metric;
}

/** The comparison that makes a value green. */
export function targetOp(m: Pick<MetricDefinition, 'direction' | 'target'>): TargetOp {
  if (m.target.kind === 'fixed' && m.target.op) return m.target.op;
  return m.direction === 'lower_is_better' ? '<=' : '>=';
}

/**
 * Months back the KPI compares with (0 = none), under the given KPI rules.
 *
 * @example
 * priorMonthsOf(churnRate, defaultRules().kpi); // 1
 * priorMonthsOf(modelAuc, defaultRules().kpi); // 12 (the model-validation horizon)
 */
export function priorMonthsOf(m: Pick<MetricDefinition, 'needsPriorMonth'>, rules: KpiRules): number {
  const n = m.needsPriorMonth;
  return n === undefined ? 0 : typeof n === 'function' ? n(rules) : n;
}

/**
 * How the KPI's value is shown: its `display`, else the default of its unit (ratio → percent with
 * 2 decimals; days, hours, score → number with 1 decimal).
 *
 * @example
 * displayOf(nplRatio); // { format: 'percent', decimals: 2 }
 * displayOf(modelAuc); // { format: 'number', decimals: 3 } (declared in metrics/model-auc.ts)
 */
export function displayOf(m: Pick<MetricDefinition, 'unit' | 'display'>): MetricDisplay {
  return m.display ?? (m.unit === 'ratio' ? { format: 'percent', decimals: 2 } : { format: 'number', decimals: 1 });
}

/** Label of a unit after a plain number (Chinese and English). */
export const UNIT_LABELS: Readonly<Record<MetricUnit, { zh: string; en: string }>> = {
  ratio: { zh: '比率', en: 'ratio' },
  days: { zh: '天', en: 'days' },
  hours: { zh: '小时', en: 'h' },
  score: { zh: '分', en: 'pts' },
};

/**
 * What follows a displayed value: `%` for percent, the unit's label for a number of days, hours or
 * points (`天 days`), nothing for a ratio shown as a plain number (AUC).
 *
 * @example
 * displaySuffix(warningLeadTime); // '天 days'
 */
export function displaySuffix(m: Pick<MetricDefinition, 'unit' | 'display'>): string {
  const d = displayOf(m);
  if (d.format === 'percent') return '%';
  return m.unit === 'ratio' ? '' : `${UNIT_LABELS[m.unit].zh} ${UNIT_LABELS[m.unit].en}`;
}

/**
 * A value as the site and the exports show it (thousands separators, no unit label).
 *
 * @example
 * formatKpiValue(0.0231, { format: 'percent', decimals: 2 }); // '2.31%'
 * formatKpiValue(0.8571, { format: 'number', decimals: 3 }); // '0.857'
 */
export function formatKpiValue(v: number, d: MetricDisplay): string {
  const n = d.format === 'percent' ? v * 100 : v;
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: d.decimals, maximumFractionDigits: d.decimals, useGrouping: true }).format(n);
  return d.format === 'percent' ? `${text}%` : text;
}

/**
 * What a KPI's value above its display cap reads ("> 1,000%"); '' for a KPI without a cap
 * (catalog display_cap_text).
 *
 * @example
 * capTextOf(provisionCoverage); // '> 1,000%'
 */
export function capTextOf(m: Pick<MetricDefinition, 'displayCap' | 'unit' | 'display'>): string {
  return m.displayCap === undefined ? '' : `> ${formatKpiValue(m.displayCap, { format: displayOf(m).format, decimals: 0 })}`;
}

/**
 * A KPI value as a reader sees it: formatted ({@link formatKpiValue}), or the cap text when it is
 * above the KPI's display cap (commentary sentences, like the site and the exports).
 *
 * @example
 * shownKpiValue(127.1274, provisionCoverage); // '> 1,000%'
 * shownKpiValue(1.3935, provisionCoverage); // '139.35%'
 */
export function shownKpiValue(v: number, m: Pick<MetricDefinition, 'displayCap' | 'unit' | 'display'>): string {
  return m.displayCap !== undefined && v > m.displayCap ? capTextOf(m) : formatKpiValue(v, displayOf(m));
}

/**
 * The fixed target value under the given KPI rules (null: no fixed target).
 *
 * @example
 * targetValueOf(warningLeadTime, DEFAULT_KPI_RULES); // 30 (rules.warnings.coverageLeadDays)
 */
export function targetValueOf(m: Pick<MetricDefinition, 'target'>, rules: KpiRules): number | null {
  if (m.target.kind !== 'fixed') return null;
  const v = m.target.value;
  return typeof v === 'function' ? v(rules) : v;
}

const OP_SYMBOL: Record<TargetOp, string> = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' };

/** The sign of a target operator (`<=` → `≤`). @example opSymbol('>=') // '≥' */
export function opSymbol(op: TargetOp): string {
  return OP_SYMBOL[op];
}

/**
 * The target in words, derived from the rule values in force (so an overridden rule shows its
 * real value), formatted as the value is displayed:
 * fixed → `≤ 2.00%`, `≥ 0.750`, `≥ 30.0 天 days`; prior year → `上年同月 − 3 个百分点`
 * (points of a ratio), `上年同月 + 5 分` (points of a score), `上年同月 × (1 − 10%)` (relative);
 * none → the metric's reason or `无目标`.
 *
 * @example
 * targetText(nplRatio, DEFAULT_KPI_RULES); // '≤ 2.00%'
 */
export function targetText(m: Pick<MetricDefinition, 'target' | 'direction' | 'unit' | 'display'>, rules: KpiRules): string {
  const t = m.target;
  if (t.kind === 'none') return t.text ?? '无目标';
  if (t.kind === 'fixed') {
    const suffix = displaySuffix(m);
    const v = formatKpiValue(targetValueOf(m, rules)!, displayOf(m));
    return `${opSymbol(targetOp(m))} ${v}${suffix && suffix !== '%' ? ` ${suffix}` : ''}`;
  }
  const sign = t.delta >= 0 ? '+' : '−';
  const a = Math.abs(t.delta);
  const trim = (x: number) => String(+x.toFixed(6));
  if (t.deltaMode === 'relative') return `上年同月 × (1 ${sign} ${trim(a * 100)}%)`;
  if (m.unit === 'ratio') return `上年同月 ${sign} ${trim(a * 100)} 个百分点`;
  return `上年同月 ${sign} ${trim(a)} ${UNIT_LABELS[m.unit].zh}`;
}

/**
 * The target in English words ({@link targetText}'s twin): fixed → `≤ 2.00%` (the same sign and
 * number), prior year → `Prior year − 3 pp`, `Prior year + 5 pts`, `Prior year × (1 − 10%)`; none →
 * the metric's reason or `No target`.
 *
 * @example
 * targetTextEn(churnRate, DEFAULT_KPI_RULES); // 'Prior year − 3 pp'
 */
export function targetTextEn(m: Pick<MetricDefinition, 'target' | 'direction' | 'unit' | 'display'>, rules: KpiRules): string {
  const t = m.target;
  if (t.kind === 'none') return t.textEn ?? 'No target';
  if (t.kind === 'fixed') return targetText(m, rules);
  const sign = t.delta >= 0 ? '+' : '−';
  const a = Math.abs(t.delta);
  const trim = (x: number) => String(+x.toFixed(6));
  if (t.deltaMode === 'relative') return `Prior year × (1 ${sign} ${trim(a * 100)}%)`;
  if (m.unit === 'ratio') return `Prior year ${sign} ${trim(a * 100)} pp`;
  return `Prior year ${sign} ${trim(a)} ${UNIT_LABELS[m.unit].en}`;
}

/**
 * SQL formatting a value column as the site and the exports show it (thousands separators, the
 * display decimals; `%` for a percent, the unit label after days, hours, points unless `withSuffix` is false).
 *
 * @example
 * displaySql('target', churnRate); // "format('{:,.2f}', round(CAST(target AS DOUBLE PRECISION) * 100, 2) + 0) || '%'"
 */
export function displaySql(x: string, m: Pick<MetricDefinition, 'unit' | 'display'>, withSuffix = true): string {
  const d = displayOf(m);
  // Rounded first, half away from zero as the RAG judges it (rag.ts), then printed: the text is the
  // shown value on either engine (+ 0 turns a rounded -0 into 0).
  const shown = (v: string) => `format('{:,.${d.decimals}f}', round(${v}, ${d.decimals}) + 0)`;
  if (d.format === 'percent') return `${shown(`CAST(${x} AS DOUBLE PRECISION) * 100`)} || '%'`;
  const suffix = withSuffix ? displaySuffix(m) : '';
  return `${shown(`CAST(${x} AS DOUBLE PRECISION)`)}${suffix ? ` || ' ${suffix}'` : ''}`;
}

/**
 * The target of one row in words, as SQL over the row's `target`, `baseline` and `target_clamped`
 * (kpi_<id>.target_text, kpi_values.target_text): a fixed target or none reads as the catalog's
 * {@link targetText}; a prior-year target states its baseline, the delta and the bound it was
 * clamped to, in Chinese and English:
 * `≤ 0.00%（上年同月 2.30% − 3 个百分点，下限 0.00%；prior year 2.30% − 3 pp, floor 0.00%）`,
 * `≥ 89.0 分 pts（上年同月 84.0 + 5 分；prior year 84.0 + 5 pts）`; without a measured prior-year
 * value: `无目标：上年同月无可比数据 No target: no measured value a year earlier`.
 *
 * @example
 * rowTargetTextSql(nplRatio, rules); // "'≤ 2.00%'"
 */
export function rowTargetTextSql(m: MetricDefinition, rules: KpiRules): string {
  const t = m.target;
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  if (t.kind !== 'prior_year') return lit(targetText(m, rules));
  const sign = t.delta >= 0 ? '+' : '−';
  const a = Math.abs(t.delta);
  const trim = (x: number) => String(+x.toFixed(6));
  const [deltaZh, deltaEn] =
    t.deltaMode === 'relative'
      ? [`× (1 ${sign} ${trim(a * 100)}%)`, `× (1 ${sign} ${trim(a * 100)}%)`]
      : m.unit === 'ratio'
        ? [`${sign} ${trim(a * 100)} 个百分点`, `${sign} ${trim(a * 100)} pp`]
        : [`${sign} ${trim(a)} ${UNIT_LABELS[m.unit].zh}`, `${sign} ${trim(a)} ${UNIT_LABELS[m.unit].en}`];
  const range = valueRangeOf(m);
  const bound = (zh: string, en: string, v: number | null, cmp: string) =>
    v === null ? null : `CASE WHEN target_clamped AND target ${cmp} ${v} THEN ${lit(`，${zh} `)} || ${displaySql(String(v), m, false)} ELSE '' END`;
  const boundEn = (en: string, v: number | null, cmp: string) =>
    v === null ? null : `CASE WHEN target_clamped AND target ${cmp} ${v} THEN ${lit(`, ${en} `)} || ${displaySql(String(v), m, false)} ELSE '' END`;
  const zhParts = [bound('下限', '', range.min, '<='), bound('上限', '', range.max, '>=')].filter(Boolean);
  const enParts = [boundEn('floor', range.min, '<='), boundEn('ceiling', range.max, '>=')].filter(Boolean);
  return `CASE WHEN target IS NULL THEN ${lit('无目标：上年同月无可比数据 No target: no measured value a year earlier')}
    ELSE ${lit(`${opSymbol(targetOp(m))} `)} || ${displaySql('target', m)} || '（上年同月 ' || ${displaySql('baseline', m, false)} || ${lit(` ${deltaZh}`)}
      ${zhParts.map((p) => `|| ${p}`).join(' ')} || '；prior year ' || ${displaySql('baseline', m, false)} || ${lit(` ${deltaEn}`)}
      ${enParts.map((p) => `|| ${p}`).join(' ')} || '）' END`;
}
