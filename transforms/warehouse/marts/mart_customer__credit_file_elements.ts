import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_customer__credit_file_elements',
  layer: 'marts',
  grain: 'one row per month end × branch × customer type × credit-file element',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type', 'file_element'],
  description:
    'Required credit-file elements (授信档案要素) per month end, branch, customer type and element: how many are current, overdue (with how late) or missing, over customers active at the month end with an on-book loan. Additive. No personal data.',
  inherits: ['core.fct_credit_file_month_ends'],
  columns: {
    required_files: 'Customers of whom the element is required (customer × element).',
    current_files: 'Of which current at the month end.',
    overdue_files: 'Of which delivered but overdue.',
    overdue_90_files: 'Of which overdue by more than 90 days.',
    missing_files: 'Of which never delivered.',
    overdue_days: 'Sum of the days overdue of the overdue elements (÷ overdue_files = average days overdue).',
  },
  tests: [{ kind: 'expression', name: 'files_add_up', sql: 'current_files + overdue_files + missing_files = required_files AND overdue_90_files <= overdue_files' }],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, branch_id, customer_type, file_element,
      count(*) AS required_files,
      count(*) FILTER (WHERE is_current) AS current_files,
      count(*) FILTER (WHERE NOT is_current AND NOT is_missing) AS overdue_files,
      count(*) FILTER (WHERE days_overdue > 90) AS overdue_90_files,
      count(*) FILTER (WHERE is_missing) AS missing_files,
      CAST(coalesce(sum(days_overdue), 0) AS BIGINT) AS overdue_days
    FROM core.fct_credit_file_month_ends
    ${sinceSql(since, { keyword: 'WHERE' })}
    GROUP BY as_of_month, branch_id, customer_type, file_element`,
});
