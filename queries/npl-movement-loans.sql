-- title: Loans behind an NPL movement (不良贷款变动明细)
-- author: Credit risk analytics (风险管理部)
-- description: The loans behind one line of the NPL movement waterfall ("why NPL moved") of the NPL page
--   and the NPL report: one row per loan with its amount in the line, its class and balance at the previous
--   and at this month end, and its status now; the rows add up to the bar (same rows as
--   marts.mart_risk__npl_movements, from marts.mart_risk__npl_movement_loans). Loan and customer codes
--   only (no names, ID numbers or phones). Movements: opening, new_npl (new_npl_from_normal,
--   new_npl_from_special_mention, new_npl_not_on_book), cured, repaid (repaid_settled, repaid_paydown),
--   written_off, transferred, exited_unreported, moved_in, moved_out, closing, cash_collected.
-- param month: required. Month end of the waterfall, YYYY-MM.
-- param movement: required. The line, e.g. new_npl, cured, repaid, written_off, transferred.
-- param slice: optional. all (default), branch or product.
-- param slice_value: optional. Branch or product code when slice is branch or product, e.g. BJ01 (default ALL).
-- example: npm run sql -- --query npl-movement-loans --param month=2026-10 --param movement=transferred
-- example: npm run sql -- --query npl-movement-loans --param month=2026-10 --param movement=new_npl --param slice=branch --param slice_value=BJ01 --format csv --out new-npls-bj01.csv
WITH chosen AS (
  SELECT
    CASE WHEN regexp_full_match($month, '[0-9]{4}-[0-9]{2}') THEN last_day(CAST($month || '-01' AS DATE))
         ELSE error('month must be YYYY-MM, got ' || $month) END AS as_of_month,
    CASE WHEN $movement IN (SELECT code FROM core.dim_code_labels WHERE kind = 'npl_movement') THEN $movement
         ELSE error('movement must be one of ' || (SELECT string_agg(code, ', ' ORDER BY sort_order) FROM core.dim_code_labels WHERE kind = 'npl_movement') || ', got ' || $movement) END AS movement,
    CASE WHEN coalesce($slice, 'all') IN ('all', 'branch', 'product') THEN coalesce($slice, 'all')
         ELSE error('slice must be all, branch or product, got ' || $slice) END AS slice,
    coalesce($slice_value, 'ALL') AS slice_value
)
SELECT
  l.as_of_month,
  lb.label AS movement,
  l.loan_id,
  l.customer_id,
  l.branch_id,
  l.product_id,
  l.prev_class,
  l.recorded_class,
  l.loan_status,
  l.prev_balance,
  l.balance_now,
  l.balance
FROM marts.mart_risk__npl_movement_loans l
JOIN chosen c USING (as_of_month, slice, slice_value, movement)
LEFT JOIN core.dim_code_labels lb ON lb.kind = 'npl_movement' AND lb.code = l.movement
ORDER BY l.balance DESC, l.loan_id;
