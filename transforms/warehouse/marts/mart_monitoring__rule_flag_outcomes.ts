import { sql } from 'kysely';
import { SOURCE_SYSTEM_RULE } from '../core/dim_warning_rules.js';
import { defineModel } from '../model.js';

/** Horizons of the backtest, in months: a flag "came true" when the loan became NPL within this many month ends. */
export const BACKTEST_HORIZONS = [3, 6, 12] as const;

/** Month ends before an NPL in which a flag counts as raised beforehand (recall, lead time). */
export const BACKTEST_LOOKBACK_MONTHS = 12;

export default defineModel({
  name: 'mart_monitoring__rule_flag_outcomes',
  layer: 'marts',
  grain: 'one row per warning rule (or the source system) per performing loan it flags per month end',
  primaryKey: ['as_of_month', 'rule_id', 'loan_id'],
  description:
    "What became of every flag of a performing loan (not NPL at the flag's month end): the month end the loan next became NPL (core.fct_loan_month_ends.is_new_npl, first after the flag), if it has by the latest reporting month. The flags are the policy rules' (marts.mart_monitoring__rule_hits) and the source system's own (rule 'source_system': a warning about the loan or its customer open at the month end, core.fct_loan_month_signals.open_source_warnings > 0), so both are measured the same way. Loans already NPL are left out: a rule cannot foretell what has happened. Feeds the backtest (docs/monitoring.md).",
  inherits: ['marts.mart_monitoring__rule_hits'],
  columns: {
    rule_id: "Rule that flagged the loan (core.dim_warning_rules), or 'source_system'.",
    next_npl_month: 'First month end after the flag at which the loan became NPL (NULL: not by the latest reporting month).',
    months_to_npl: 'Whole months from the flag to next_npl_month.',
  },
  tests: [{ kind: 'expression', name: 'npl_after_flag', sql: 'next_npl_month IS NULL OR next_npl_month > as_of_month' }],
  query: () => sql`
    WITH npl AS (SELECT loan_id, as_of_month AS npl_month FROM core.fct_loan_month_ends WHERE is_new_npl),
    flags AS (
      SELECT rule_id, as_of_month, loan_id, branch_id, product_id FROM marts.mart_monitoring__rule_hits WHERE NOT is_npl
      UNION ALL
      SELECT ${sql.lit(SOURCE_SYSTEM_RULE)}, as_of_month, loan_id, branch_id, product_id FROM core.fct_loan_month_signals
      WHERE open_source_warnings > 0 AND NOT is_npl
    )
    SELECT f.as_of_month, f.rule_id, f.loan_id, f.branch_id, f.product_id, min(n.npl_month) AS next_npl_month,
      CAST(date_diff('month', f.as_of_month, min(n.npl_month)) AS INTEGER) AS months_to_npl
    FROM flags f LEFT JOIN npl n ON n.loan_id = f.loan_id AND n.npl_month > f.as_of_month
    GROUP BY f.as_of_month, f.rule_id, f.loan_id, f.branch_id, f.product_id`,
});
