-- title: Warning lead time by signal type
-- author: Credit risk analytics (风险管理部)
-- description: Which early-warning signals caught the loans that became non-performing (新增不良), and how
--   early: for new NPLs in the period, the days from the earliest warning of each signal type to the NPL
--   date (the month end), counting warnings raised within the look-back in the version known at that month
--   end; customer-level warnings count for all of the customer's loans (the matching of
--   marts.mart_risk__new_npls). One row per signal type plus a total row for any signal.
-- param from_month: optional. First NPL month, YYYY-MM (default: 11 months before to_month).
-- param to_month: optional. Last NPL month, YYYY-MM (default: the latest month with new NPLs reported).
-- param lookback_days: optional. Warnings raised at most this many days before the NPL date count (default 365).
-- example: npm run sql -- --query warning-lead-time-by-signal --param from_month=2026-01 --param to_month=2026-10
WITH params AS (
  SELECT
    coalesce(last_day(CAST($to_month || '-01' AS DATE)), (SELECT max(as_of_month) FROM marts.mart_risk__new_npls)) AS to_month,
    CAST($from_month || '-01' AS DATE) AS from_given,
    coalesce(CAST($lookback_days AS INTEGER), 365) AS lookback_days
),
period AS (
  SELECT coalesce(last_day(from_given), last_day(to_month - INTERVAL 11 MONTH)) AS from_month, to_month, lookback_days FROM params
),
npl AS (
  SELECT n.as_of_month, n.loan_id, l.customer_id
  FROM marts.mart_risk__new_npls n
  JOIN core.fct_loan_month_ends l USING (as_of_month, loan_id)
  JOIN period ON n.as_of_month BETWEEN period.from_month AND period.to_month
),
first_signal AS (
  SELECT npl.as_of_month, npl.loan_id, w.signal_type,
    date_diff('day', min(w.raised_on), npl.as_of_month) AS lead_days
  FROM npl
  JOIN period ON true
  JOIN core.fct_warnings w
    ON w.customer_id = npl.customer_id AND (w.loan_id IS NULL OR w.loan_id = npl.loan_id)
   AND w.valid_from <= npl.as_of_month AND (w.valid_to IS NULL OR w.valid_to > npl.as_of_month)
   AND w.raised_on <= npl.as_of_month
   AND date_diff('day', w.raised_on, npl.as_of_month) <= period.lookback_days
  GROUP BY npl.as_of_month, npl.loan_id, w.signal_type
),
any_signal AS (
  SELECT as_of_month, loan_id, '(any signal)' AS signal_type, max(lead_days) AS lead_days
  FROM first_signal GROUP BY as_of_month, loan_id
)
SELECT
  signal_type,
  count(*) AS new_npls_warned,
  (SELECT count(*) FROM npl) AS new_npls,
  round(100.0 * count(*) / nullif((SELECT count(*) FROM npl), 0), 1) AS "caught %",
  median(lead_days) AS median_lead_days,
  quantile_cont(lead_days, 0.25) AS p25_lead_days,
  quantile_cont(lead_days, 0.75) AS p75_lead_days,
  round(100.0 * avg(CASE WHEN lead_days >= 30 THEN 1 ELSE 0 END), 1) AS "≥30 days ahead %"
FROM (SELECT * FROM first_signal UNION ALL SELECT * FROM any_signal)
GROUP BY signal_type
ORDER BY signal_type = '(any signal)', new_npls_warned DESC, signal_type;
