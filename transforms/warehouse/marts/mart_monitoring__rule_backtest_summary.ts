import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { BACKTEST_HORIZONS } from './mart_monitoring__rule_flag_outcomes.js';

const H = BACKTEST_HORIZONS;

export default defineModel({
  name: 'mart_monitoring__rule_backtest_summary',
  layer: 'marts',
  grain: 'one row per warning rule (and the source system)',
  primaryKey: ['rule_id'],
  description: `The backtest over the whole loaded history, per rule and for the source system (what the monitoring page's table shows): precision within ${H.join(', ')} months summed over the month ends whose horizon has been observed (Σ became NPL ÷ Σ flagged, never an average of monthly ratios), recall over every month end with new NPLs (Σ flagged beforehand ÷ Σ new NPLs), and the median lead time over every caught NPL (from marts.mart_monitoring__rule_catches, not a median of medians).`,
  inherits: ['core.dim_warning_rules', 'marts.mart_monitoring__rule_backtest'],
  columns: {
    months: 'Reporting months in the history.',
    flagged_loans: 'Flags of performing loans over all month ends (a loan flagged in 3 month ends counts 3 times: each month is a cohort).',
    ...Object.fromEntries(H.flatMap((h) => [
      [`flagged_observed_${h}m`, `Flags in the month ends whose ${h}-month horizon is observed (the denominator of precision_${h}m).`],
      [`npl_within_${h}m`, `Of those, flags followed by NPL within ${h} months.`],
      [`precision_${h}m`, `npl_within_${h}m ÷ flagged_observed_${h}m (NULL: no observed flag).`],
    ])),
    new_npls: 'Loans that became NPL over the history (month ends with a previous reporting month).',
    new_npls_flagged: 'Of those, loans the rule flagged while performing in the 12 month ends before.',
    recall: 'new_npls_flagged ÷ new_npls.',
    lead_days_median: 'Median days from the earliest flag to the NPL month end over every caught NPL.',
  },
  tests: [{ kind: 'expression', name: 'recall_in_range', sql: 'recall IS NULL OR recall BETWEEN 0 AND 1' }],
  query: () => sql`
    WITH b AS (
      SELECT rule_id, count(*) AS months, sum(flagged_loans) AS flagged_loans,
        ${sql.raw(H.map((h) => `sum(flagged_loans) FILTER (WHERE npl_within_${h}m IS NOT NULL) AS obs_${h}, sum(npl_within_${h}m) AS npl_${h}`).join(',\n        '))},
        sum(new_npls) AS new_npls, sum(new_npls_flagged) AS new_npls_flagged
      FROM marts.mart_monitoring__rule_backtest GROUP BY rule_id
    ),
    l AS (SELECT rule_id, median(lead_days) AS lead FROM marts.mart_monitoring__rule_catches WHERE flagged_before GROUP BY rule_id)
    SELECT r.rule_id, r.label, r.severity, r.sort_order, r.is_policy_rule, CAST(b.months AS INTEGER) AS months, CAST(b.flagged_loans AS BIGINT) AS flagged_loans,
      ${sql.raw(H.map((h) => `CAST(coalesce(b.obs_${h}, 0) AS BIGINT) AS flagged_observed_${h}m, CAST(coalesce(b.npl_${h}, 0) AS BIGINT) AS npl_within_${h}m,
      CASE WHEN b.obs_${h} > 0 THEN CAST(b.npl_${h} AS DOUBLE PRECISION) / b.obs_${h} END AS precision_${h}m`).join(',\n      '))},
      CAST(b.new_npls AS BIGINT) AS new_npls, CAST(b.new_npls_flagged AS BIGINT) AS new_npls_flagged,
      CASE WHEN b.new_npls > 0 THEN CAST(b.new_npls_flagged AS DOUBLE PRECISION) / b.new_npls END AS recall, l.lead AS lead_days_median
    FROM core.dim_warning_rules r JOIN b USING (rule_id) LEFT JOIN l USING (rule_id)`,
});
