-- NPL roll-forward (不良贷款变动) per month end and slice: opening + new − cured − written off −
-- recovered − exited − paydown = closing (signs from the mart), plus cash collected. Labels from
-- core.dim_code_labels.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  movement,
  coalesce(l.label, movement) as movement_label,
  movement_order,
  sign,
  loans,
  cast(balance as double) as balance
from marts.mart_risk__npl_movements m
left join core.dim_code_labels l on l.kind = 'npl_movement' and l.code = m.movement
order by as_of_month, slice, slice_value, movement_order
