import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { BACKTEST_LOOKBACK_MONTHS } from './mart_monitoring__rule_flag_outcomes.js';

export default defineModel({
  name: 'mart_monitoring__rule_catches',
  layer: 'marts',
  grain: 'one row per warning rule (and the source system) per loan that became NPL in a month',
  primaryKey: ['as_of_month', 'rule_id', 'loan_id'],
  description: `Did each rule see each new NPL coming? For every loan that became NPL at a month end (core.fct_loan_month_ends.is_new_npl) and every rule of core.dim_warning_rules (with the source system): whether the rule flagged the loan while performing in one of the ${BACKTEST_LOOKBACK_MONTHS} month ends before (marts.mart_monitoring__rule_flag_outcomes), the earliest such month end and the lead time in days from it to the NPL month end. Early in the history fewer month ends are loaded before an NPL (marts.mart_monitoring__rule_backtest.lookback_months_loaded): recall there is a lower bound. Feeds recall and lead time of the backtest.`,
  inherits: ['core.fct_loan_month_ends', 'marts.mart_monitoring__rule_flag_outcomes'],
  columns: {
    as_of_month: 'Month end the loan became NPL.',
    flagged_before: `The rule flagged the loan while performing in the ${BACKTEST_LOOKBACK_MONTHS} month ends before.`,
    first_flag_month: 'Earliest such month end (NULL: not flagged).',
    lead_days: 'Days from first_flag_month to the NPL month end (NULL: not flagged).',
  },
  tests: [{ kind: 'expression', name: 'lead_positive', sql: 'lead_days IS NULL OR lead_days > 0' }],
  query: () => sql`
    WITH npl AS (SELECT as_of_month, loan_id, branch_id, product_id FROM core.fct_loan_month_ends WHERE is_new_npl),
    caught AS (
      SELECT f.rule_id, n.as_of_month, n.loan_id, min(f.as_of_month) AS first_flag_month
      FROM npl n JOIN marts.mart_monitoring__rule_flag_outcomes f
        ON f.loan_id = n.loan_id AND f.as_of_month < n.as_of_month
       AND f.as_of_month >= last_day(n.as_of_month - INTERVAL '${sql.raw(String(BACKTEST_LOOKBACK_MONTHS))} month')
      GROUP BY f.rule_id, n.as_of_month, n.loan_id
    )
    SELECT n.as_of_month, r.rule_id, n.loan_id, n.branch_id, n.product_id,
      c.first_flag_month IS NOT NULL AS flagged_before, c.first_flag_month,
      CAST(date_diff('day', c.first_flag_month, n.as_of_month) AS INTEGER) AS lead_days
    FROM npl n CROSS JOIN core.dim_warning_rules r
    LEFT JOIN caught c ON c.rule_id = r.rule_id AND c.as_of_month = n.as_of_month AND c.loan_id = n.loan_id`,
});
