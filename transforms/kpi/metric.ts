import type { Compilable, Kysely } from 'kysely';
import type { Warehouse } from '../lib/warehouse-types.generated.js';
import type { KpiRules } from '../policy/kpi-rules.js';
import type { Dimension } from '../warehouse/dimensions.js';

/** How a KPI value is expressed. */
export type MetricUnit = 'ratio' | 'days' | 'hours' | 'score';

/** Which way is good. */
export type MetricDirection = 'lower_is_better' | 'higher_is_better';

/** Comparison that makes a value "on target" (green). */
export type TargetOp = '<=' | '<' | '>=' | '>';

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
  /** What is counted, in words (docs and catalog). */
  readonly text: string;
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
 * The formula of a KPI:
 * - `ratio`: Σ numerator ÷ Σ denominator per month and slice (re-sliceable: sums, never averages of rates);
 * - `aggregate`: one aggregate value per month and slice (e.g. a median); numerator is NULL and
 *   denominator the sample size;
 * - `custom`: SQL over the sliced source for values that need window functions (AUC, KS).
 */
export type MetricFormula =
  | { readonly kind: 'ratio'; readonly text: string; readonly numerator: MeasureDefinition; readonly denominator: MeasureDefinition }
  | {
      readonly kind: 'aggregate';
      readonly text: string;
      readonly from: SqlSource;
      /** Aggregate SQL giving the value, e.g. `median(hours_to_verify)`. */
      readonly value: string;
      /** Aggregate SQL giving the sample size, e.g. `count(hours_to_verify)`. */
      readonly n: string;
      readonly valueText: string;
      readonly nText: string;
    }
  | {
      readonly kind: 'custom';
      readonly text: string;
      readonly from: SqlSource;
      /** SELECT returning `as_of_month, branch_id, product_id, customer_type, grade, numerator, denominator, value` per slice-month. */
      readonly sql: (ctx: CustomContext) => string;
      readonly numeratorText: string;
      readonly denominatorText: string;
    };

/**
 * The target of a KPI:
 * - `fixed`: a constant (e.g. NPL ratio ≤ 2%);
 * - `prior_year`: the KPI's own value for the same month and slice one year earlier plus
 *   `delta` (`points`: added in the value's unit, e.g. −0.03 = 3 percentage points lower;
 *   `relative`: value × (1 + delta)); stored per row in `kpi_<id>.target`;
 * - `none`: no target (RAG is 'none').
 */
export type MetricTarget =
  | { readonly kind: 'fixed'; readonly value: number; readonly op?: TargetOp; readonly text: string }
  | { readonly kind: 'prior_year'; readonly delta: number; readonly deltaMode: 'points' | 'relative'; readonly text: string }
  | { readonly kind: 'none'; readonly text?: string };

/**
 * An extract input a KPI needs (docs/kpis.md, "Availability"): an entity of the contract
 * (`'warnings'`: the file was delivered, even with 0 rows) or one of its columns
 * (`'loan_balances.provision_amount'`: delivered with real values — not a mapping default for the
 * whole column, and for an optional column at least one non-empty value).
 */
export type MetricInput = string;

/**
 * The fewest observations a slice-month needs before its value is shown (else `no_data`,
 * reason `too_few_observations`).
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
  readonly description: string;
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
  /** Display order in the catalog and report. */
  readonly sortOrder: number;
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
  /** Fewest observations per slice-month, else `no_data`, reason `too_few_observations`. Default: none. */
  readonly minObservations?: MinObservations;
}

/**
 * Declares a KPI (identity helper that type-checks it). One file per KPI under `metrics/`.
 *
 * @example
 * export default defineMetric({
 *   id: 'npl_ratio', nameZh: '不良贷款率', nameEn: 'NPL ratio', description: '…', unit: 'ratio',
 *   direction: 'lower_is_better', grain: 'month_end', dimensions: ['branch_id', 'product_id'],
 *   formula: { kind: 'ratio', text: 'NPL balance ÷ total balance',
 *     numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'NPL balance' },
 *     denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'total balance' } },
 *   target: { kind: 'fixed', value: 0.02, op: '<=', text: '≤ 2%' }, tolerance: 0.005,
 *   policySource: '商业银行风险监管核心指标', sortOrder: 10, inputs: ['loan_balances'],
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
