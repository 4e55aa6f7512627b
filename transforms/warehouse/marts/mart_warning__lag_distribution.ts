import { sql } from 'kysely';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';

const BUCKETS: readonly [string, number, number][] = [
  ['0', 0, 0],
  ['1', 1, 1],
  ['2', 2, 2],
  ['3', 3, 3],
  ['4-7', 4, 7],
  ['8-14', 8, 14],
  ['15-30', 15, 30],
  ['31+', 31, 1_000_000],
];
const bucketSql = `CASE ${BUCKETS.map(([b, lo, hi]) => `WHEN w.lag_days BETWEEN ${lo} AND ${hi} THEN '${b}'`).join(' ')} END`;
const orderSql = `CASE lag_bucket ${BUCKETS.map(([b], i) => `WHEN '${b}' THEN ${i + 1}`).join(' ')} END`;
const g = sliceGrouping(['as_of_month', 'lag_bucket'], ['branch_id', 'customer_type']);

export default defineModel({
  name: 'mart_warning__lag_distribution',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / customer_type) × lag bucket',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'lag_bucket'],
  description: 'Distribution of the signal-to-raise lag (预警滞后天数) of warnings raised in the month, in day buckets 0, 1, 2, 3, 4-7, 8-14, 15-30, 31+. Aggregated; no personal data.',
  columns: {
    as_of_month: 'Month end of raised_at.',
    slice: "'all', 'branch' or 'customer_type'.",
    slice_value: "'ALL' or the value.",
    lag_bucket: 'Lag bucket in days.',
    bucket_order: 'Sort order.',
    warnings: 'Warnings raised in the month with that lag.',
    share: 'Share of the slice-month warnings (DOUBLE).',
  },
  query: () => sql`
    WITH w AS (
      SELECT m.as_of_month, coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
        ${sql.raw(bucketSql)} AS lag_bucket
      FROM core.fct_warnings w
      JOIN core.dim_months m ON m.as_of_month = w.raised_month
      LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = w.customer_id AND c.as_of_month = m.as_of_month
      WHERE w.valid_from <= m.as_of_month AND (w.valid_to IS NULL OR w.valid_to > m.as_of_month)
    ),
    a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, lag_bucket, count(*) AS warnings
      FROM w GROUP BY ${sql.raw(g.groupBy)}
    )
    SELECT as_of_month, slice, slice_value, lag_bucket, ${sql.raw(orderSql)} AS bucket_order, warnings,
      CAST(warnings AS DOUBLE PRECISION) / sum(warnings) OVER (PARTITION BY as_of_month, slice, slice_value) AS share
    FROM a`,
});
