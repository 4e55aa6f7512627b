import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { BACKTEST_HORIZONS, BACKTEST_LOOKBACK_MONTHS } from './mart_monitoring__rule_flag_outcomes.js';

const H = BACKTEST_HORIZONS;
/** `last_day(as_of_month + INTERVAL 'h month') <= latest month`: the horizon has been observed. */
const observed = (h: number) => `last_day(m.as_of_month + INTERVAL '${h} month') <= (SELECT max(as_of_month) FROM core.dim_months)`;

export default defineModel({
  name: 'mart_monitoring__rule_backtest',
  layer: 'marts',
  grain: 'one row per warning rule (and the source system) per reporting month end',
  primaryKey: ['as_of_month', 'rule_id'],
  description: `The backtest of every warning rule and of the source system's own warnings, month by month (docs/monitoring.md). Precision: of the performing loans the rule flagged at the month end, how many became NPL within ${H.join(', ')} months (by the month end that many months later); NULL while that month end is not yet reported (the outcome is unknown, not 0). Recall: of the loans that became NPL at the month end, how many the rule flagged while performing in the 12 month ends before; lead time: the median days from the earliest such flag to the NPL month end. Re-slice by summing the counts (never average the ratios); mart_monitoring__rule_backtest_summary does so over the whole history.`,
  inherits: ['core.dim_warning_rules'],
  columns: {
    as_of_month: 'Month end of the flags (precision) and of the new NPLs (recall).',
    flagged_loans: 'Performing loans the rule flagged at the month end.',
    ...Object.fromEntries(H.flatMap((h) => [
      [`npl_within_${h}m`, `Of those, loans that became NPL within ${h} months (NULL: month end ${h} months later not reported yet).`],
      [`precision_${h}m`, `npl_within_${h}m ÷ flagged_loans (NULL: not observed yet, or nothing flagged).`],
    ])),
    new_npls: 'Loans that became NPL at the month end.',
    new_npls_flagged: 'Of those, loans the rule flagged while performing in the 12 month ends before.',
    recall: 'new_npls_flagged ÷ new_npls (NULL: no new NPL).',
    lead_days_median: 'Median days from the earliest flag to the NPL month end, over new_npls_flagged (NULL: none).',
    lookback_months_loaded: 'Reporting months among the 12 month ends before (below 12: recall is a lower bound).',
  },
  tests: [
    ...H.map((h) => ({ kind: 'expression' as const, name: `precision_${h}m_in_range`, sql: `precision_${h}m IS NULL OR precision_${h}m BETWEEN 0 AND 1` })),
    { kind: 'expression', name: 'npl_counts_grow_with_horizon', sql: `coalesce(npl_within_${H[0]}m <= npl_within_${H[1]}m, true) AND coalesce(npl_within_${H[1]}m <= npl_within_${H[2]}m, true)` },
    { kind: 'expression', name: 'flagged_npls_within_npls', sql: 'new_npls_flagged <= new_npls' },
  ],
  query: () => sql`
    WITH m AS (SELECT as_of_month FROM core.dim_months),
    grid AS (SELECT m.as_of_month, r.rule_id, r.sort_order FROM m CROSS JOIN core.dim_warning_rules r),
    p AS (
      SELECT as_of_month, rule_id, count(*) AS flagged_loans,
        ${sql.raw(H.map((h) => `count(*) FILTER (WHERE next_npl_month <= last_day(as_of_month + INTERVAL '${h} month')) AS npl_${h}`).join(',\n        '))}
      FROM marts.mart_monitoring__rule_flag_outcomes GROUP BY as_of_month, rule_id
    ),
    c AS (
      SELECT as_of_month, rule_id, count(*) AS new_npls, count(*) FILTER (WHERE flagged_before) AS flagged,
        median(lead_days) AS lead_median
      FROM marts.mart_monitoring__rule_catches GROUP BY as_of_month, rule_id
    ),
    lb AS (
      SELECT a.as_of_month, CAST(count(b.as_of_month) AS INTEGER) AS months
      FROM m a LEFT JOIN m b ON b.as_of_month < a.as_of_month AND b.as_of_month >= last_day(a.as_of_month - INTERVAL '${sql.raw(String(BACKTEST_LOOKBACK_MONTHS))} month')
      GROUP BY a.as_of_month
    )
    SELECT g.as_of_month, g.rule_id, CAST(coalesce(p.flagged_loans, 0) AS INTEGER) AS flagged_loans,
      ${sql.raw(H.map((h) => `CAST(CASE WHEN ${observed(h)} THEN coalesce(p.npl_${h}, 0) END AS INTEGER) AS npl_within_${h}m,
      CASE WHEN ${observed(h)} AND coalesce(p.flagged_loans, 0) > 0 THEN CAST(p.npl_${h} AS DOUBLE PRECISION) / p.flagged_loans END AS precision_${h}m`).join(',\n      '))},
      CAST(coalesce(c.new_npls, 0) AS INTEGER) AS new_npls, CAST(coalesce(c.flagged, 0) AS INTEGER) AS new_npls_flagged,
      CASE WHEN c.new_npls > 0 THEN CAST(c.flagged AS DOUBLE PRECISION) / c.new_npls END AS recall,
      c.lead_median AS lead_days_median, lb.months AS lookback_months_loaded
    FROM grid g JOIN m USING (as_of_month) JOIN lb USING (as_of_month)
    LEFT JOIN p ON p.as_of_month = g.as_of_month AND p.rule_id = g.rule_id
    LEFT JOIN c ON c.as_of_month = g.as_of_month AND c.rule_id = g.rule_id`,
});
