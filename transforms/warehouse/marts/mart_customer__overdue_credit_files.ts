import { sql } from 'kysely';
import { enumType } from '../enums.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_customer__overdue_credit_files',
  layer: 'marts',
  grain: 'one row per month end × customer × required credit-file element that is overdue or missing at the month end',
  primaryKey: ['as_of_month', 'customer_id', 'file_element'],
  description:
    "The overdue-files list (授信档案逾期更新清单): every required credit-file element of a customer active at the month end with an on-book loan that is overdue or was never delivered, with the branch that must follow it up. Holds the customer id only (no name or other personal data): the per-branch release list masks it like the watch-list. For the release and the branches, never for the report site.",
  inherits: ['core.fct_credit_file_month_ends'],
  columns: {
    file_status: "overdue (delivered, past its due date) or missing (never delivered).",
  },
  tests: [
    { kind: 'accepted_values', column: 'file_status', values: ['overdue', 'missing'] },
    { kind: 'expression', name: 'overdue_has_days', sql: "CASE WHEN file_status = 'overdue' THEN days_overdue > 0 ELSE days_overdue IS NULL END" },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, branch_id, customer_id, customer_type, file_element,
      CAST(CASE WHEN is_missing THEN 'missing' ELSE 'overdue' END AS ${sql.raw(enumType(['overdue', 'missing']))}) AS file_status,
      cycle_months, last_updated_on, due_on, days_overdue
    FROM core.fct_credit_file_month_ends
    WHERE NOT is_current ${sinceSql(since)}`,
});
