import type { FiveClass } from './five-category.js';

/**
 * Parameters of KPI populations that are not a single metric's business (they shape marts
 * that several KPIs and the report site read): the typed in-memory form. The values themselves are
 * lender policy, data in `policy/kpi-rules.yaml` (or the operator's `policyDir`), read and checked
 * by `loadPolicy` (transforms/policy/read-policy.ts); the shipped file gives `defaultRules().kpi`.
 * Documented in docs/kpis.md ("Configuration") and policy/README.md. Override one build with
 * `buildWarehouse(wh, { rules: { kpi: { warnings: { timelyWithinDays: 2 } } } })`.
 *
 * @example
 * loadPolicy().kpi.warnings.timelyWithinDays; // 3 (policy/kpi-rules.yaml)
 */
export interface KpiRules {
  readonly warnings: {
    /** A warning is timely when raised at most this many days after its signal date. */
    readonly timelyWithinDays: number;
    /** A new NPL is "covered" when a warning was raised at least this many days before it became NPL. */
    readonly coverageLeadDays: number;
    /** Warnings raised longer ago than this before the NPL date are not counted for coverage or lead time. */
    readonly lookbackDays: number;
  };
  readonly verification: {
    /** Service-level limit for completing a check, in hours. */
    readonly slaHours: number;
  };
  readonly modelValidation: {
    /** Outcome window of a PD score, in months (the score of month s is evaluated at month s + horizon). */
    readonly horizonMonths: number;
    /** A customer is in default in a month when a loan is recorded at this class or worse … */
    readonly defaultClassAtLeast: FiveClass;
    /** … or is more than this many days past due … */
    readonly defaultDpdOver: number;
    /** … or was written off (when true). */
    readonly writtenOffIsDefault: boolean;
    /** PD is binned to this many decimals for AUC / KS (exact when scores have no more decimals). */
    readonly pdBinDecimals: number;
    /**
     * Reference month of the population stability index (PSI), per model version: `'first_month'`
     * (the first loaded month the version scored in) or a fixed month `'YYYY-MM'` (a version without
     * scores in that month has no PSI).
     */
    readonly psiReference: 'first_month' | `${number}-${number}`;
    /** Number of PSI bins: quantiles of the reference month's PD (10 = deciles). */
    readonly psiBins: number;
  };
}
