import { sql } from 'kysely';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';

const g = sliceGrouping(['as_of_month', 'grade_basis', 'grade_value'], ['branch_id', 'customer_type']);

export default defineModel({
  name: 'mart_customer__grade_mix',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / customer_type) × grade basis (recorded / rule) × grade',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'grade_basis', 'grade'],
  description: "Grade mix (客户分级结构) of customers active at the month end: by the grade the lender recorded ('ungraded' when none) and by the rule grade (docs/grading.md). Aggregated; no personal data.",
  inherits: ['marts.mart_customer__monthly'],
  columns: {
    slice: "'all', 'branch' or 'customer_type'.",
    slice_value: "'ALL' or the value.",
    grade_basis: "'recorded' or 'rule'.",
    grade: "A, B, C (or 'ungraded' for the recorded basis).",
    customers: 'Active customers.',
    share: 'Share of the slice-month-basis customers (DOUBLE).',
  },
  query: () => sql`
    WITH x AS (
      SELECT as_of_month, branch_id, customer_type, 'recorded' AS grade_basis, CAST(grade AS VARCHAR) AS grade_value, customers_active_end AS n
      FROM marts.mart_customer__monthly
      UNION ALL
      SELECT as_of_month, branch_id, customer_type, 'rule', CAST(rule_grade AS VARCHAR), customers_active_end FROM marts.mart_customer__monthly
    ),
    a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, grade_basis, grade_value AS grade, CAST(sum(n) AS BIGINT) AS customers
      FROM x GROUP BY ${sql.raw(g.groupBy)} HAVING sum(n) > 0
    )
    SELECT *, CAST(customers AS DOUBLE PRECISION) / sum(customers) OVER (PARTITION BY as_of_month, slice, slice_value, grade_basis) AS share FROM a`,
});
