-- Signal-to-raise lag (预警滞后天数) distribution of warnings raised in the month, per slice
-- (all / branch / customer_type). share comes from the mart; lag_label ('4-7天 4-7 d') from
-- core.dim_code_labels; bucket_order is the order of the buckets (0 days first).
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  lag_bucket,
  coalesce(l.label, lag_bucket) as lag_label,
  bucket_order,
  warnings,
  share
from marts.mart_warning__lag_distribution d
left join core.dim_code_labels l on l.kind = 'lag_bucket' and l.code = d.lag_bucket
order by as_of_month, slice, slice_value, bucket_order
