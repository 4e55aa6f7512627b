-- Metric definitions (one row per metric). Aggregate-only: metrics schema.
select
  metric_id,
  name_zh,
  name_en,
  description,
  formula_text,
  unit,
  direction,
  target,
  target_text,
  policy_source,
  sort_order
from metrics.metric_catalog
