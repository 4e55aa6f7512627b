import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_customer__credit_file_monthly',
  layer: 'marts',
  grain: 'one row per month end × branch × customer type',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type'],
  description:
    'Credit-file freshness and completeness (授信档案时效与完整性) per month end, branch and customer type, counted over customers active at the month end with an on-book loan (the population of core.fct_credit_file_month_ends). Additive: feeds credit_file_current_share and credit_file_complete_share. No personal data.',
  inherits: ['core.fct_credit_file_month_ends'],
  columns: {
    customers: 'Customers active at the month end with an on-book loan.',
    customers_current: 'Of which every required credit-file element is current.',
    customers_complete: 'Of which every required credit-file element was delivered at least once.',
    customers_with_overdue: 'Of which at least one required element was delivered but is overdue.',
    customers_with_missing: 'Of which at least one required element was never delivered.',
    required_files: 'Required elements of those customers (customer × element).',
    current_files: 'Of which current.',
    overdue_files: 'Of which delivered but overdue.',
    missing_files: 'Of which never delivered.',
  },
  tests: [
    { kind: 'expression', name: 'current_within_complete', sql: 'customers_current <= customers_complete AND customers_complete <= customers' },
    { kind: 'expression', name: 'files_add_up', sql: 'current_files + overdue_files + missing_files = required_files' },
    { kind: 'expression', name: 'not_current_has_a_reason', sql: 'customers_current + customers_with_overdue + customers_with_missing >= customers' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    WITH c AS (
      SELECT as_of_month, customer_id, branch_id, customer_type,
        bool_and(is_current) AS all_current,
        bool_and(NOT is_missing) AS complete,
        bool_or(NOT is_current AND NOT is_missing) AS any_overdue,
        count(*) AS required_files,
        count(*) FILTER (WHERE is_current) AS current_files,
        count(*) FILTER (WHERE is_missing) AS missing_files
      FROM core.fct_credit_file_month_ends
      ${sinceSql(since, { keyword: 'WHERE' })}
      GROUP BY as_of_month, customer_id, branch_id, customer_type
    )
    SELECT as_of_month, branch_id, customer_type,
      count(*) AS customers,
      count(*) FILTER (WHERE all_current) AS customers_current,
      count(*) FILTER (WHERE complete) AS customers_complete,
      count(*) FILTER (WHERE any_overdue) AS customers_with_overdue,
      count(*) FILTER (WHERE NOT complete) AS customers_with_missing,
      CAST(sum(required_files) AS BIGINT) AS required_files,
      CAST(sum(current_files) AS BIGINT) AS current_files,
      CAST(sum(required_files - current_files - missing_files) AS BIGINT) AS overdue_files,
      CAST(sum(missing_files) AS BIGINT) AS missing_files
    FROM c
    GROUP BY as_of_month, branch_id, customer_type`,
});
