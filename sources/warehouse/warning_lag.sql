-- Signal-to-raise lag (预警滞后天数) distribution of warnings raised in the month, per slice
-- (all / branch / customer_type). share comes from the mart.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  lag_bucket,
  bucket_order,
  warnings,
  share
from marts.mart_warning__lag_distribution
order by as_of_month, slice, slice_value, bucket_order
