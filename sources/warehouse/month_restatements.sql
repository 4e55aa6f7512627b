-- Every reporting month with how many times its KPI figures were restated after the month-end
-- close (ops.month_closes, kind 'restatement': a night run with --restate published changed figures
-- and re-closed the month); 0 for the others, so the table is never empty (an empty source fails the
-- build). For the 已重述 Restated marker next to the month selector. Who restated and why are not
-- shipped (docs/operations.md, "Month-end close and restatements").
with r as (
  select month, count(1) as restatements
  from ops.month_closes
  where kind = 'restatement'
  group by month
)
select k.month, coalesce(r.restatements, 0) as restatements
from (select distinct strftime(as_of_month, '%Y-%m') as month from metrics.kpi_values) k
left join r on r.month = k.month
order by k.month
