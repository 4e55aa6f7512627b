-- Months whose KPI figures were restated after their month-end close (ops.month_closes, kind
-- 'restatement': a night run with --restate published changed figures and re-closed the month),
-- for the 已重述 Restated marker next to the month selector. Who restated and why are not shipped
-- (docs/operations.md, "Month-end close and restatements").
select
  month,
  count(1) as restatements,
  max(closed_at) as last_restated_at
from ops.month_closes
where kind = 'restatement'
group by month
