import { sql } from 'kysely';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';

const g = sliceGrouping(['cohort_month', 'as_of_month'], ['branch_id', 'product_id']);

export default defineModel({
  name: 'mart_risk__vintages',
  layer: 'marts',
  grain: 'one row per disbursement cohort month × months on book × slice (all / branch / product)',
  primaryKey: ['cohort_month', 'months_on_book', 'slice', 'slice_value'],
  description:
    'Vintage curves (账龄分析): for loans disbursed in each cohort month (only cohorts from the first reporting month on, so the whole life is observed), the cumulative share that has reached 90+ days past due or been written off by each month on book, by count and by balance (outstanding principal at the first 90+ month, or the written-off amount, over the cohort contract principal). Branch / product as at the loan\'s first reported month.',
  columns: {
    cohort_month: 'Month end of the disbursement month.',
    months_on_book: 'Months since the cohort month (0 = the disbursement month).',
    as_of_month: 'The month end the point belongs to.',
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the code.",
    cohort_loans: 'Loans in the cohort.',
    cohort_principal: 'Their contract principal, DECIMAL.',
    bad_loans: 'Cohort loans that reached 90+ dpd or were written off by this month end (cumulative).',
    bad_balance: 'Their balance at the first such month, DECIMAL (cumulative).',
    cum_90_rate_count: 'bad_loans / cohort_loans (DOUBLE).',
    cum_90_rate_balance: 'bad_balance / cohort_principal (DOUBLE).',
  },
  tests: [{ kind: 'expression', name: 'bad_within_cohort', sql: 'bad_loans <= cohort_loans' }],
  query: () => sql`
    WITH first_month AS (SELECT min(as_of_month) AS m0 FROM core.dim_months),
    loan AS (
      SELECT loan_id,
        arg_min(cohort_month, as_of_month) AS cohort_month,
        arg_min(branch_id, as_of_month) AS branch_id,
        arg_min(product_id, as_of_month) AS product_id,
        arg_min(principal, as_of_month) AS principal,
        min(as_of_month) FILTER (WHERE is_dpd90 OR loan_status = 'written_off') AS bad_month,
        arg_min(CASE WHEN loan_status = 'written_off' THEN coalesce(nullif(outstanding_principal, 0), prev_balance, 0) ELSE on_book_balance END, as_of_month)
          FILTER (WHERE is_dpd90 OR loan_status = 'written_off') AS bad_balance
      FROM core.fct_loan_month_ends
      GROUP BY loan_id
    ),
    cohort AS (
      SELECT l.* FROM loan l, first_month f WHERE l.cohort_month >= f.m0
    ),
    cohort_agg AS (
      SELECT cohort_month, branch_id, product_id, count(*) AS loans, sum(principal) AS principal
      FROM cohort GROUP BY cohort_month, branch_id, product_id
    ),
    bad_agg AS (
      SELECT cohort_month, branch_id, product_id, bad_month, count(*) AS loans, sum(bad_balance) AS balance
      FROM cohort WHERE bad_month IS NOT NULL GROUP BY cohort_month, branch_id, product_id, bad_month
    ),
    grid AS (
      SELECT c.cohort_month, c.branch_id, c.product_id, m.as_of_month, c.loans, c.principal,
        CAST(coalesce(sum(b.loans), 0) AS BIGINT) AS bad_loans, coalesce(sum(b.balance), 0) AS bad_balance
      FROM cohort_agg c
      JOIN core.dim_months m ON m.as_of_month >= c.cohort_month
      LEFT JOIN bad_agg b ON b.cohort_month = c.cohort_month AND b.branch_id = c.branch_id AND b.product_id = c.product_id
        AND b.bad_month <= m.as_of_month
      GROUP BY c.cohort_month, c.branch_id, c.product_id, m.as_of_month, c.loans, c.principal
    ),
    a AS (
      SELECT cohort_month, as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value,
        CAST(sum(loans) AS BIGINT) AS cohort_loans, sum(principal) AS cohort_principal,
        CAST(sum(bad_loans) AS BIGINT) AS bad_loans, sum(bad_balance) AS bad_balance
      FROM grid GROUP BY ${sql.raw(g.groupBy)}
    )
    SELECT cohort_month,
      CAST(date_diff('month', date_trunc('month', cohort_month), date_trunc('month', as_of_month)) AS INTEGER) AS months_on_book,
      as_of_month, slice, slice_value, cohort_loans, cohort_principal, bad_loans, bad_balance,
      CAST(bad_loans AS DOUBLE PRECISION) / cohort_loans AS cum_90_rate_count,
      CAST(bad_balance AS DOUBLE PRECISION) / nullif(CAST(cohort_principal AS DOUBLE PRECISION), 0) AS cum_90_rate_balance
    FROM a`,
});
