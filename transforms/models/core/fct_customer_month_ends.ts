import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_customer_month_ends',
  layer: 'core',
  grain: 'one row per customer per reporting month in which the relationship was open at some point (customer-month activity)',
  primaryKey: ['as_of_month', 'customer_id'],
  description:
    'Customer state at each month end: the latest customer version with business_date <= the month end, expanded over the months it was valid (set-based: each version is unnested over its months, no customers × months cross join). Rows exist from the onboarding month to the month the relationship closed. Drives churn, activity, grade mix and the customer dimensions (branch, customer_type, grade) of every month-end KPI.',
  columns: {
    as_of_month: 'Month end.',
    customer_id: 'Customer number.',
    customer_type: 'individual or small_business (as of the month end).',
    branch_id: 'Servicing branch (as of the month end).',
    onboarded_on: 'Relationship start.',
    relationship_closed_on: 'Relationship end as known at the month end.',
    recorded_grade: 'Grade recorded by the lender as of the month end (NULL: not graded).',
    grade: "Grade dimension: recorded grade, or 'ungraded'.",
    graded_on: 'Date the recorded grade was set.',
    is_active_start: 'Relationship open at the start of the month (onboarded before the 1st, not closed before the 1st).',
    is_active_end: 'Relationship open at the month end.',
    is_new_in_month: 'Onboarded in the month.',
    churned_in_month: 'Active at the start of the month and relationship closed in the month (客户流失).',
    version_business_date: 'Business date of the customer version used.',
  },
  tests: [
    { kind: 'accepted_values', column: 'grade', values: ['A', 'B', 'C', 'ungraded'] },
    { kind: 'relationships', column: 'as_of_month', to: 'core.dim_months', field: 'as_of_month' },
    { kind: 'expression', name: 'churn_needs_active_start', sql: 'NOT churned_in_month OR is_active_start' },
  ],
  query: () => sql`
    WITH v AS (
      SELECT customer_id, customer_type, branch_id, onboarded_on, recorded_grade, graded_on, relationship_closed_on,
        business_date AS valid_from,
        lead(business_date) OVER (PARTITION BY customer_id ORDER BY business_date) AS valid_to
      FROM staging.stg_lender__customers
    ),
    lim AS (SELECT max(as_of_month) AS last_month FROM core.dim_months),
    expanded AS (
      SELECT v.*, CAST(last_day(unnest(generate_series(
          date_trunc('month', valid_from),
          date_trunc('month', coalesce(valid_to, last_month)),
          INTERVAL 1 MONTH))) AS DATE) AS as_of_month
      FROM v, lim
      WHERE valid_from <= last_month
    )
    SELECT e.as_of_month, e.customer_id, e.customer_type, e.branch_id, e.onboarded_on, e.relationship_closed_on,
      e.recorded_grade, coalesce(e.recorded_grade, 'ungraded') AS grade, e.graded_on,
      (e.onboarded_on < m.month_start AND (e.relationship_closed_on IS NULL OR e.relationship_closed_on >= m.month_start)) AS is_active_start,
      (e.relationship_closed_on IS NULL OR e.relationship_closed_on > e.as_of_month) AS is_active_end,
      (e.onboarded_on >= m.month_start) AS is_new_in_month,
      coalesce(e.onboarded_on < m.month_start AND e.relationship_closed_on BETWEEN m.month_start AND e.as_of_month, false) AS churned_in_month,
      e.valid_from AS version_business_date
    FROM expanded e
    JOIN core.dim_months m ON m.as_of_month = e.as_of_month
    WHERE e.as_of_month >= e.valid_from
      AND (e.valid_to IS NULL OR e.as_of_month < e.valid_to)
      AND e.onboarded_on <= e.as_of_month
      AND (e.relationship_closed_on IS NULL OR e.relationship_closed_on >= m.month_start)`,
});
