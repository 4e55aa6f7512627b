-- Monthly KPI values per slice, straight from metrics.kpi_values (the KPI engine computes
-- value = numerator / denominator, target and RAG; pages never recompute them).
-- Added here, for the KPI board: `month` ('YYYY-MM', the month selector key) and the same KPI's
-- value/RAG one month and one year earlier for the same slice (a lookup, not a formula).
-- Whole book: slice = 'all', slice_value = 'ALL'. Aggregate-only: metrics schema.
-- status 'no_data' (value NULL, rag 'none'): shown grey "无数据 No data" with no_data_reason
-- (the engine's reason, Chinese / English), never a colour and never a 0 (docs/kpis.md "Availability").
select
  k.metric_id,
  k.as_of_month,
  strftime(k.as_of_month, '%Y-%m') as month,
  k.slice,
  k.slice_value,
  case when k.slice = 'all' then '全行 Whole bank' else k.slice_label end as slice_label,
  k.numerator,
  k.denominator,
  k.value,
  k.target,
  k.rag,
  case when k.status = 'no_data' then '无数据 No data'
       when k.rag = 'green' then '绿 Green' when k.rag = 'amber' then '黄 Amber' when k.rag = 'red' then '红 Red'
       else '无目标 No target' end as rag_label,
  k.status,
  -- '' when measured (never NULL in every row: Evidence would warn on an all-NULL column and fail the build)
  case when k.status = 'no_data' then k.reason_zh || ' / ' || k.reason_en else '' end as no_data_reason,
  p.value as prev_value,
  p.rag as prev_rag,
  y.value as yoy_value,
  y.rag as yoy_rag
from metrics.kpi_values k
left join metrics.kpi_values p
  on p.metric_id = k.metric_id and p.slice = k.slice and p.slice_value = k.slice_value
 and p.as_of_month = cast(last_day(k.as_of_month - interval 1 month) as date)
left join metrics.kpi_values y
  on y.metric_id = k.metric_id and y.slice = k.slice and y.slice_value = k.slice_value
 and y.as_of_month = cast(last_day(k.as_of_month - interval 12 month) as date)
order by k.metric_id, k.slice, k.slice_value, k.as_of_month
