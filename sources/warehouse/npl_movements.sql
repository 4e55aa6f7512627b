-- NPL movement waterfall (不良贷款变动, "why NPL moved") per month end and slice: opening + new −
-- cured − repaid − written off − transferred − left unreported ± moved between branches / products =
-- closing (signs, line types and the bar a memo line details from the mart). Labels of the lines
-- and of the slice values from core.dim_code_labels.
select
  m.as_of_month,
  strftime(m.as_of_month, '%Y-%m') as month,
  m.slice,
  m.slice_value,
  case when m.slice = 'all' then s.label else coalesce(v.label, m.slice_value) end as slice_label,
  m.movement,
  coalesce(l.label, m.movement) as movement_label,
  l.label_zh as movement_label_zh,
  l.label_en as movement_label_en,
  m.movement_order,
  m.sign,
  m.line_type,
  m.parent_movement,
  m.loans,
  cast(m.balance as double precision) as balance
from marts.mart_risk__npl_movements m
left join core.dim_code_labels l on l.kind = 'npl_movement' and l.code = m.movement
left join core.dim_code_labels s on s.kind = 'slice' and s.code = m.slice
left join core.dim_code_labels v on v.kind = m.slice and v.code = m.slice_value
order by m.as_of_month, m.slice, m.slice_value, m.movement_order
