-- The month's commentary (metrics.kpi_commentary, transforms/kpi/commentary.ts): templated Chinese
-- and English sentences generated from the numbers only, for the whole bank (slice 'all') and each
-- branch (slice 'branch'). Aggregate-only: metrics schema.
select
  strftime(as_of_month, '%Y-%m') as month,
  seq,
  topic,
  coalesce(metric_id, '') as metric_id,
  slice,
  slice_value,
  text_zh,
  text_en
from metrics.kpi_commentary
order by as_of_month, slice, slice_value, seq
