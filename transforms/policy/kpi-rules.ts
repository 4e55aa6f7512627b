import type { FiveClass } from './five-category.js';

/**
 * Parameters of KPI populations that are not a single metric's business (they shape marts
 * that several KPIs and the report site read). Documented in docs/kpis.md.
 *
 * @example
 * DEFAULT_KPI_RULES.warnings.timelyWithinDays; // 3
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
  };
}

export const DEFAULT_KPI_RULES: KpiRules = {
  warnings: { timelyWithinDays: 3, coverageLeadDays: 30, lookbackDays: 365 },
  verification: { slaHours: 24 },
  modelValidation: { horizonMonths: 12, defaultClassAtLeast: '次级', defaultDpdOver: 90, writtenOffIsDefault: true, pdBinDecimals: 4 },
};
