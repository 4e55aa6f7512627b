-- title: Roll rates by branch
-- author: Credit risk analytics (风险管理部)
-- description: Month-over-month count roll rates (迁徙率) between delinquency buckets for each branch:
--   one row per branch and bucket at the previous month end, with the loans in it and the share of them
--   in each bucket at the month end (rows add up to 100%). Branch is the loan's booking branch at the
--   previous month end. Reads marts.mart_risk__roll_rates.
-- param month: optional. Month end to report, YYYY-MM (default: the latest month in the mart).
-- example: npm run sql -- --query roll-rates-by-branch --param month=2026-10
-- example: npm run sql -- --query roll-rates-by-branch --format csv --out roll-rates.csv
WITH chosen AS (
  SELECT coalesce(
    CASE WHEN $month IS NULL THEN NULL
         WHEN regexp_full_match($month, '[0-9]{4}-[0-9]{2}') THEN last_day(CAST($month || '-01' AS DATE))
         ELSE error('month must be YYYY-MM, got ' || $month) END,
    (SELECT max(as_of_month) FROM marts.mart_risk__roll_rates)) AS as_of_month
)
SELECT
  r.as_of_month,
  r.slice_value AS branch_id,
  any_value(b.branch_name_zh) AS branch_name,
  r.from_bucket,
  CAST(sum(r.loans) AS BIGINT) AS loans,
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = 'current'), 0), 1) AS "→current %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = '1-30'), 0), 1) AS "→1-30 %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = '31-60'), 0), 1) AS "→31-60 %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = '61-90'), 0), 1) AS "→61-90 %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = '90+'), 0), 1) AS "→90+ %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = 'written_off'), 0), 1) AS "→written off %",
  round(100 * coalesce(sum(r.share) FILTER (WHERE r.to_bucket = 'closed'), 0), 1) AS "→closed %"
FROM marts.mart_risk__roll_rates r
JOIN chosen USING (as_of_month)
LEFT JOIN core.dim_branches b ON b.branch_id = r.slice_value
WHERE r.slice = 'branch'
GROUP BY r.as_of_month, r.slice_value, r.from_bucket, r.from_order
ORDER BY branch_id, r.from_order;
