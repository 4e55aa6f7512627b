import { sql } from 'kysely';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

const g = sliceGrouping(['as_of_month', 'recorded_class', 'recorded_class_rank'], ['branch_id', 'product_id']);

export default defineModel({
  name: 'mart_credit__five_category_distribution',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / product) × recorded five-category class',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'recorded_class'],
  description: 'Five-category distribution (五级分类分布) of on-book loans by recorded class, for the whole book and per branch and product. Aggregated; no personal data.',
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the branch / product code.",
    class_rank: '1 … 5 (sort order).',
    loans: 'On-book loans.',
    balance: 'Outstanding principal, DECIMAL.',
    balance_share: 'Share of the slice balance (DOUBLE).',
  },
  tests: [{ kind: 'accepted_values', column: 'slice', values: ['all', 'branch', 'product'] }],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    WITH a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, recorded_class,
        recorded_class_rank AS class_rank, CAST(sum(loans) AS BIGINT) AS loans, sum(balance) AS balance
      FROM (
        SELECT as_of_month, recorded_class, recorded_class_rank, branch_id, product_id, count(*) AS loans, sum(on_book_balance) AS balance
        FROM core.fct_loan_month_ends WHERE is_on_book ${sinceSql(since)}
        GROUP BY as_of_month, recorded_class, recorded_class_rank, branch_id, product_id
      ) AS q
      GROUP BY ${sql.raw(g.groupBy)}
    )
    SELECT *, CAST(balance AS DOUBLE PRECISION) / nullif(CAST(sum(balance) OVER (PARTITION BY as_of_month, slice, slice_value) AS DOUBLE PRECISION), 0) AS balance_share
    FROM a`,
});
