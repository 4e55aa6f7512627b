-- Month-over-month roll rates (迁徙率) between delinquency buckets, per month end and slice.
-- share / balance_share (of the from-bucket) come from the mart; bucket labels from core.dim_code_labels.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  from_bucket,
  to_bucket,
  coalesce(f.label_zh, from_bucket) as from_label_zh,
  coalesce(f.label_en, '') as from_label_en,
  coalesce(t.label_zh, to_bucket) as to_label_zh,
  coalesce(t.label_en, '') as to_label_en,
  from_order,
  to_order,
  loans,
  cast(balance as double precision) as balance,
  share,
  balance_share
from marts.mart_risk__roll_rates r
left join core.dim_code_labels f on f.kind = 'delinquency_bucket' and f.code = r.from_bucket
left join core.dim_code_labels t on t.kind = 'delinquency_bucket' and t.code = r.to_bucket
order by as_of_month, slice, slice_value, from_order, to_order
