-- Five-category distribution (五级分类) of on-book loans per month end and slice (all / branch /
-- product). balance_share comes from the mart. Amounts as DOUBLE (CNY) for the browser. class_label
-- ('关注 Special mention') from core.dim_code_labels.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  recorded_class,
  class_rank,
  coalesce(l.label, cast(recorded_class as varchar)) as class_label,
  loans,
  cast(balance as double precision) as balance,
  balance_share
from marts.mart_credit__five_category_distribution f
left join core.dim_code_labels l on l.kind = 'five_class' and l.code = cast(f.recorded_class as varchar)
order by as_of_month, slice, slice_value, class_rank
