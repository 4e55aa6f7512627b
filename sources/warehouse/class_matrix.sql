-- Recorded five-category class against the regulatory floor class, per month end and slice.
-- Cells where the recorded class is milder than the floor are under-classified.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  recorded_class,
  recorded_rank,
  floor_class,
  floor_rank,
  is_under_classified,
  loans,
  cast(balance as double) as balance
from marts.mart_credit__class_matrix
order by as_of_month, slice, slice_value, recorded_rank, floor_rank
