import { sql } from 'kysely';
import { bucketOrderSql } from '../rules-sql.js';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';

const g = sliceGrouping(['as_of_month', 'from_bucket', 'to_bucket'], ['branch_id', 'product_id']);

export default defineModel({
  name: 'mart_risk__roll_rates',
  layer: 'marts',
  grain: 'one row per month end × slice × from bucket (previous month end) × to bucket (this month end)',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'from_bucket', 'to_bucket'],
  description:
    "Month-over-month roll rates (迁徙率) between delinquency buckets: loans on book at the previous month end, by their bucket then and now (current, 1-30, 31-60, 61-90, 90+, written_off, closed; a loan without a snapshot this month counts as closed). Share = loans / loans in the from-bucket; balance = balance at the previous month end. Branch / product are the loan's at the previous month end. Only months whose previous month is reported.",
  columns: {
    as_of_month: 'Month end of the "to" state.',
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the code.",
    from_bucket: 'Bucket at the previous month end.',
    to_bucket: 'Bucket at this month end.',
    from_order: 'Sort position of from_bucket.',
    to_order: 'Sort position of to_bucket.',
    loans: 'Loans moving from → to.',
    balance: 'Their balance at the previous month end, DECIMAL.',
    share: 'loans / loans in from_bucket (count roll rate, DOUBLE).',
    balance_share: 'balance / balance in from_bucket (DOUBLE).',
  },
  tests: [
    { kind: 'accepted_values', column: 'from_bucket', values: ['current', '1-30', '31-60', '61-90', '90+'] },
    { kind: 'accepted_values', column: 'to_bucket', values: ['current', '1-30', '31-60', '61-90', '90+', 'written_off', 'closed'] },
  ],
  query: () => sql`
    WITH p AS (
      SELECT as_of_month AS from_month, branch_id, product_id,
        CAST(delinquency_bucket AS VARCHAR) AS from_bucket, CAST(next_bucket AS VARCHAR) AS to_bucket,
        count(*) AS loans, sum(on_book_balance) AS balance
      FROM core.fct_loan_month_ends
      WHERE is_on_book AND next_bucket IS NOT NULL
      GROUP BY as_of_month, branch_id, product_id, delinquency_bucket, next_bucket
    ),
    a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, from_bucket, to_bucket,
        CAST(sum(loans) AS BIGINT) AS loans, sum(balance) AS balance
      FROM (SELECT p.*, m.next_month_end AS as_of_month FROM p JOIN core.dim_months m ON m.as_of_month = p.from_month) AS q
      GROUP BY ${sql.raw(g.groupBy)}
    )
    SELECT as_of_month, slice, slice_value, from_bucket, to_bucket,
      ${sql.raw(bucketOrderSql('from_bucket'))} AS from_order, ${sql.raw(bucketOrderSql('to_bucket'))} AS to_order,
      loans, balance,
      CAST(loans AS DOUBLE PRECISION) / sum(loans) OVER (PARTITION BY as_of_month, slice, slice_value, from_bucket) AS share,
      CAST(balance AS DOUBLE PRECISION) / nullif(CAST(sum(balance) OVER (PARTITION BY as_of_month, slice, slice_value, from_bucket) AS DOUBLE PRECISION), 0) AS balance_share
    FROM a`,
});
