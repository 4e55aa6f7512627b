-- Monthly KPI values per slice, straight from metrics.kpi_values (the KPI engine computes
-- value = numerator / denominator, target, RAG, status and the change of status; pages never recompute them).
-- Added here, for the KPI board: `month` ('YYYY-MM', the month selector key) and the same KPI's
-- value one year earlier for the same slice (a lookup, not a formula).
-- Whole book: slice = 'all', slice_value = 'ALL'. Aggregate-only: metrics schema.
-- status 'no_data' (value NULL, rag 'none'): shown grey "无数据 No data" with no_data_reason.
-- status 'too_few' (fewer observations than the KPI's minimum): value NULL here (the warehouse keeps
-- it, the site never shows it), shown "样本不足 Too few" with the sample size n, never a colour.
-- Status words (rag_label / status_label) come from metrics.status_labels, written from STATUS_LABELS
-- (transforms/kpi/rag.ts): the one home of the words. docs/kpis.md "Availability".
select
  k.metric_id,
  k.as_of_month,
  strftime(k.as_of_month, '%Y-%m') as month,
  k.slice,
  k.slice_value,
  case when k.slice = 'all' then '全行 Whole bank' else k.slice_label end as slice_label,
  k.numerator,
  k.denominator,
  case when k.status = 'measured' then k.value end as value,
  k.target,
  k.rag,
  k.status_label as rag_label,
  k.status,
  k.status_word,
  k.status_label,
  -- '' when measured (never NULL in every row: Evidence would warn on an all-NULL column and fail the build)
  case when k.status <> 'measured' then k.reason_zh || ' / ' || k.reason_en else '' end as no_data_reason,
  k.n,
  k.baseline,
  -- the row's own target in words, only where it varies per row (prior-year targets); else the catalog's target_text applies
  case when c.target_kind = 'prior_year' then k.target_text else '' end as row_target_text,
  coalesce(k.target_clamped, false) as target_clamped,
  -- the previous month's value only when it was measured: no month-on-month change from a too-few or no-data month
  k.prev_value,
  case when k.prev_status_word in ('green', 'amber', 'red') then k.prev_status_word end as prev_rag,
  coalesce(k.prev_status_word, '') as prev_status_word,
  -- 'better' | 'worse' | 'target_moved' | '' (kpi_values.status_change: a real change of colour, or only the target moved)
  coalesce(k.status_change, '') as status_change,
  case when y.status = 'measured' then y.value end as yoy_value,
  y.rag as yoy_rag
from metrics.kpi_values k
left join metrics.metric_catalog c on c.metric_id = k.metric_id
left join metrics.kpi_values y
  on y.metric_id = k.metric_id and y.slice = k.slice and y.slice_value = k.slice_value
 and y.as_of_month = cast(last_day(k.as_of_month - interval '12 months') as date)
order by k.metric_id, k.slice, k.slice_value, k.as_of_month
