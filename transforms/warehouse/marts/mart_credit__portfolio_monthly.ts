import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_credit__portfolio_monthly',
  layer: 'marts',
  grain: 'one row per month end × branch × product × customer type × grade (on-book loans)',
  primaryKey: ['as_of_month', 'branch_id', 'product_id', 'customer_type', 'grade'],
  description:
    'Additive portfolio cube of on-book loans at each month end: counts and DECIMAL sums at the finest KPI dimension grain. Balance KPIs (NPL, overdue, 90+, under-classification, provisions) sum numerators and denominators from here, so any slice is a re-aggregation, never an average of rates. No personal data.',
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    loans: 'On-book loans.',
    balance: 'Outstanding principal (各项贷款余额), DECIMAL, in CNY (like every amount here; loans without their FX rate add nothing, see marts.mart_credit__currency_monthly).',
    npl_loans: 'Loans recorded 次级/可疑/损失.',
    npl_balance: 'Their outstanding principal (不良贷款余额).',
    overdue_loans: 'Loans with days_past_due > 0.',
    overdue_balance: 'Outstanding principal of loans with days_past_due > 0 (逾期贷款余额, whole balance, not just the overdue part).',
    overdue_principal: 'Principal actually past due (overdue_principal), for reference.',
    dpd90_loans: 'Loans more than 90 days past due.',
    dpd90_balance: 'Their outstanding principal.',
    under_classified_loans: 'Loans whose recorded class is milder than the regulatory floor.',
    under_classified_balance: 'Their outstanding principal.',
    floor_npl_balance: 'Outstanding principal of loans whose floor class is 次级 or worse.',
    provision_amount: 'Loan-loss provisions held (贷款损失准备).',
  },
  tests: [
    // balance is NULL for a cell whose every loan lacks its FX rate (no CNY amount; see core.fct_loan_month_ends).
    { kind: 'expression', name: 'npl_within_balance', sql: 'balance IS NULL OR npl_balance <= balance' },
    { kind: 'expression', name: 'dpd90_within_overdue', sql: 'dpd90_balance <= overdue_balance' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, branch_id, product_id, customer_type, grade,
      count(*) AS loans,
      sum(on_book_balance) AS balance,
      count(*) FILTER (WHERE is_npl) AS npl_loans,
      coalesce(sum(on_book_balance) FILTER (WHERE is_npl), 0) AS npl_balance,
      count(*) FILTER (WHERE is_overdue) AS overdue_loans,
      coalesce(sum(on_book_balance) FILTER (WHERE is_overdue), 0) AS overdue_balance,
      sum(overdue_principal) AS overdue_principal,
      count(*) FILTER (WHERE is_dpd90) AS dpd90_loans,
      coalesce(sum(on_book_balance) FILTER (WHERE is_dpd90), 0) AS dpd90_balance,
      count(*) FILTER (WHERE is_under_classified) AS under_classified_loans,
      coalesce(sum(on_book_balance) FILTER (WHERE is_under_classified), 0) AS under_classified_balance,
      coalesce(sum(on_book_balance) FILTER (WHERE floor_class_rank >= 3), 0) AS floor_npl_balance,
      sum(provision_amount) AS provision_amount
    FROM core.fct_loan_month_ends
    WHERE is_on_book ${sinceSql(since)}
    GROUP BY as_of_month, branch_id, product_id, customer_type, grade`,
});
