import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_customer__monthly',
  layer: 'marts',
  grain: 'one row per month end × branch × customer type × recorded grade × rule grade',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type', 'grade', 'rule_grade'],
  description:
    'Additive customer cube per month end: activity and churn (客户流失), grading accuracy (recorded vs rule grade) and high-risk customers, by recorded grade (the grade dimension) and rule grade. Feeds churn_rate, classification_error_rate and high_risk_share. No personal data.',
  inherits: ['core.fct_customer_month_ends'],
  columns: {
    customers_active_start: 'Relationship open at the start of the month.',
    churned_customers: 'Of which closed in the month.',
    customers_active_end: 'Relationship open at the month end.',
    new_customers: 'Onboarded in the month.',
    graded_customers: 'Active at the month end with a recorded grade.',
    misgraded_customers: 'Of which recorded grade ≠ rule grade.',
    recorded_c_customers: 'Active at the month end and recorded C 高风险.',
    rule_c_customers: 'Active at the month end and rule grade C.',
  },
  tests: [
    { kind: 'expression', name: 'churn_within_start', sql: 'churned_customers <= customers_active_start' },
    { kind: 'expression', name: 'misgraded_within_graded', sql: 'misgraded_customers <= graded_customers' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT c.as_of_month, c.branch_id, c.customer_type, c.grade, c.rule_grade,
      count(*) FILTER (WHERE c.is_active_start) AS customers_active_start,
      count(*) FILTER (WHERE c.churned_in_month) AS churned_customers,
      count(*) FILTER (WHERE c.is_active_end) AS customers_active_end,
      count(*) FILTER (WHERE c.is_new_in_month) AS new_customers,
      count(*) FILTER (WHERE c.is_graded) AS graded_customers,
      count(*) FILTER (WHERE c.is_misgraded) AS misgraded_customers,
      count(*) FILTER (WHERE c.is_active_end AND c.recorded_grade = 'C') AS recorded_c_customers,
      count(*) FILTER (WHERE c.is_active_end AND c.rule_grade = 'C') AS rule_c_customers
    FROM core.fct_customer_month_ends c
    ${sinceSql(since, { column: 'c.as_of_month', keyword: 'WHERE' })}
    GROUP BY c.as_of_month, c.branch_id, c.customer_type, c.grade, c.rule_grade`,
});
