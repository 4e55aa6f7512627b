-- title: Vintage curves by product
-- author: Credit risk analytics (风险管理部)
-- description: Vintage analysis (账龄分析) per product: for each disbursement cohort month, the cumulative
--   share of the cohort's contract principal that has reached 90+ days past due or been written off
--   after 1, 3, 6, 12 and 24 months on book, and at the latest month observed. Only cohorts disbursed
--   from the first reporting month on (their whole life is observed). Reads marts.mart_risk__vintages.
-- param product: optional. Product code, e.g. consumer_instalment (default: all products).
-- param basis: optional. balance (default: share of principal) or count (share of loans).
-- example: npm run sql -- --query vintage-by-product --param product=car
-- example: npm run sql -- --query vintage-by-product --param basis=count --format parquet --out vintages.parquet
WITH v AS (
  SELECT *,
    CASE coalesce($basis, 'balance')
      WHEN 'balance' THEN cum_90_rate_balance
      WHEN 'count' THEN cum_90_rate_count
      ELSE error('basis must be balance or count, got ' || $basis) END AS rate
  FROM marts.mart_risk__vintages
  WHERE slice = 'product' AND ($product IS NULL OR slice_value = $product)
)
SELECT
  v.slice_value AS product_id,
  any_value(p.product_name_zh) AS product_name,
  v.cohort_month,
  CAST(max(v.cohort_loans) AS BIGINT) AS cohort_loans,
  CAST(max(v.cohort_principal) AS DECIMAL(18,2)) AS cohort_principal,
  round(100 * max(v.rate) FILTER (WHERE v.months_on_book = 1), 2) AS "mob1 %",
  round(100 * max(v.rate) FILTER (WHERE v.months_on_book = 3), 2) AS "mob3 %",
  round(100 * max(v.rate) FILTER (WHERE v.months_on_book = 6), 2) AS "mob6 %",
  round(100 * max(v.rate) FILTER (WHERE v.months_on_book = 12), 2) AS "mob12 %",
  round(100 * max(v.rate) FILTER (WHERE v.months_on_book = 24), 2) AS "mob24 %",
  max(v.months_on_book) AS latest_mob,
  round(100 * arg_max(v.rate, v.months_on_book), 2) AS "latest %"
FROM v
LEFT JOIN core.dim_products p ON p.product_id = v.slice_value
GROUP BY v.slice_value, v.cohort_month
ORDER BY product_id, v.cohort_month;
