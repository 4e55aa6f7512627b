-- Why each ratio KPI moved (metrics.kpi_contributions, written by transforms/kpi/contributions.ts):
-- each branch's and product's contribution to the whole-bank change vs the previous month; the
-- contributions of a KPI, month and dimension sum exactly to bank_change (docs/kpis.md "Why a KPI
-- moved"). Aggregate-only: metrics schema.
select
  metric_id,
  strftime(as_of_month, '%Y-%m') as month,
  dimension,
  slice_value,
  slice_label,
  value,
  prev_value,
  contribution,
  bank_value,
  bank_prev_value,
  bank_change,
  rank
from metrics.kpi_contributions
order by metric_id, as_of_month, dimension, rank
