-- Month-over-month roll rates (迁徙率) between delinquency buckets, per month end and slice.
-- share / balance_share (of the from-bucket) come from the mart.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  from_bucket,
  to_bucket,
  from_order,
  to_order,
  loans,
  cast(balance as double) as balance,
  share,
  balance_share
from marts.mart_risk__roll_rates
order by as_of_month, slice, slice_value, from_order, to_order
