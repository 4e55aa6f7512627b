-- Recorded five-category class against the regulatory floor class, per month end and slice.
-- Cells where the recorded class is milder than the floor are under-classified. Class labels
-- (Chinese / English) from core.dim_code_labels.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  recorded_class,
  recorded_rank,
  coalesce(r.label_zh, cast(recorded_class as varchar)) as recorded_label_zh,
  coalesce(r.label_en, '') as recorded_label_en,
  floor_class,
  coalesce(f.label_zh, cast(floor_class as varchar)) as floor_label_zh,
  coalesce(f.label_en, '') as floor_label_en,
  floor_rank,
  is_under_classified,
  loans,
  cast(balance as double precision) as balance
from marts.mart_credit__class_matrix m
left join core.dim_code_labels r on r.kind = 'five_class' and r.code = cast(m.recorded_class as varchar)
left join core.dim_code_labels f on f.kind = 'five_class' and f.code = cast(m.floor_class as varchar)
order by as_of_month, slice, slice_value, recorded_rank, floor_rank
