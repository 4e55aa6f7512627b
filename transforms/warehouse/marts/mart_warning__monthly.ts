import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_warning__monthly',
  layer: 'marts',
  grain: 'one row per month end × branch × customer type × grade',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type', 'grade'],
  description:
    "Early warnings raised in the month (by raised_at), in the version known at the month end, with the customer's dimensions at the month end. raised_timely = raised at most the configured days (default 3) after the signal date. Additive cube for warning_timeliness. No personal data.",
  inherits: ['core.fct_customer_month_ends'],
  columns: {
    as_of_month: 'Month end of raised_at.',
    branch_id: "Customer's branch ('unknown' if not an open relationship then).",
    warnings_raised: 'Warnings raised in the month.',
    raised_timely: 'Of which raised within the configured days of their signal.',
    lag_days_sum: 'Sum of signal-to-raise lags in days.',
  },
  tests: [{ kind: 'expression', name: 'timely_within_raised', sql: 'raised_timely <= warnings_raised' }],
  query: () => sql`
    SELECT m.as_of_month,
      coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
      coalesce(c.grade, 'ungraded') AS grade,
      count(*) AS warnings_raised,
      count(*) FILTER (WHERE w.lag_days <= ${sql.raw(String(Math.trunc(activeRules().kpi.warnings.timelyWithinDays)))}) AS raised_timely,
      sum(w.lag_days) AS lag_days_sum
    FROM core.fct_warnings w
    JOIN core.dim_months m ON m.as_of_month = w.raised_month
    LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = w.customer_id AND c.as_of_month = m.as_of_month
    WHERE w.valid_from <= m.as_of_month AND (w.valid_to IS NULL OR w.valid_to > m.as_of_month)
    GROUP BY m.as_of_month, coalesce(c.branch_id, 'unknown'), coalesce(c.customer_type, 'unknown'), coalesce(c.grade, 'ungraded')`,
});
