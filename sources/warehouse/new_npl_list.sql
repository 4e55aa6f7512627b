-- The new NPL loans behind a branch's NPL change (marts.mart_risk__new_npl_list): loan ids MASKED
-- (transforms/lib/identifier-masks.ts ID-number mask), no customer id, name or ID number.
-- Balances in 万元 (rounded once here). Product names: the slice labels of metrics.kpi_values.
with labels as (
  select slice_value, min(slice_label) as product_label
  from metrics.kpi_values where slice = 'product'
  group by slice_value
)
select
  strftime(n.as_of_month, '%Y-%m') as month,
  n.branch_id,
  n.list_seq,
  n.loan_ref,
  n.product_id,
  coalesce(l.product_label, cast(n.product_id as varchar)) as product_label,
  n.recorded_class,
  cast(round(cast(n.balance as decimal(20, 2)) / 10000, 2) as double precision) as balance_wan,
  n.warnings_before,
  coalesce(cast(n.lead_days as varchar), '—') as lead_days
from marts.mart_risk__new_npl_list n
left join labels l on l.slice_value = cast(n.product_id as varchar)
order by n.as_of_month, n.branch_id, n.list_seq
