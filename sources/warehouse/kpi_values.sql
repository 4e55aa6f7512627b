-- Monthly KPI values per slice (whole book: slice = 'all', slice_value = 'ALL').
-- Aggregate-only: metrics schema. Never select from raw/staging/core customer or loan tables.
select
  metric_id,
  as_of_month,
  slice,
  slice_value,
  numerator,
  denominator,
  value,
  target,
  rag
from metrics.kpi_values
