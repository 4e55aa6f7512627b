-- Five-category distribution (五级分类) of on-book loans per month end and slice (all / branch /
-- product). balance_share comes from the mart. Amounts as DOUBLE (CNY) for the browser.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  recorded_class,
  class_rank,
  class_rank || ' ' || recorded_class || ' ' || case recorded_class
    when '正常' then 'Pass' when '关注' then 'Special mention' when '次级' then 'Substandard'
    when '可疑' then 'Doubtful' when '损失' then 'Loss' else '' end as class_label,
  loans,
  cast(balance as double) as balance,
  balance_share
from marts.mart_credit__five_category_distribution
order by as_of_month, slice, slice_value, class_rank
