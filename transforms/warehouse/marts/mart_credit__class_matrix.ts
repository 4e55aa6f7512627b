import { sql } from 'kysely';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

const g = sliceGrouping(['as_of_month', 'recorded_class', 'recorded_class_rank', 'floor_class', 'floor_class_rank'], ['branch_id', 'product_id']);

export default defineModel({
  name: 'mart_credit__class_matrix',
  layer: 'marts',
  grain: 'one row per month end × slice × recorded class × floor class',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'recorded_class', 'floor_class'],
  description:
    'Recorded five-category class against the regulatory floor class (docs/classification.md) for on-book loans. Cells above the diagonal (recorded milder than floor) are under-classified. Aggregated; no personal data.',
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the code.",
    recorded_rank: '1 … 5.',
    floor_rank: '1 … 5.',
    is_under_classified: 'recorded_rank < floor_rank.',
    loans: 'On-book loans.',
    balance: 'Outstanding principal, DECIMAL.',
  },
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value,
      recorded_class, recorded_class_rank AS recorded_rank, floor_class, floor_class_rank AS floor_rank,
      recorded_class_rank < floor_class_rank AS is_under_classified,
      CAST(sum(loans) AS BIGINT) AS loans, sum(balance) AS balance
    FROM (
      SELECT as_of_month, recorded_class, recorded_class_rank, floor_class, floor_class_rank, branch_id, product_id,
        count(*) AS loans, sum(on_book_balance) AS balance
      FROM core.fct_loan_month_ends WHERE is_on_book ${sinceSql(since)}
      GROUP BY as_of_month, recorded_class, recorded_class_rank, floor_class, floor_class_rank, branch_id, product_id
    ) AS q
    GROUP BY ${sql.raw(g.groupBy)}`,
});
