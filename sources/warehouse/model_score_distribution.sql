-- Risk-model stability: each month's PD distribution of a model version against its reference month,
-- per PD bin, with the PSI of the version-month (marts.mart_model__score_distribution: the bins, the
-- 0.0001 floor inside the logarithm and the PSI are computed there; the page only selects).
-- bin_label shows the bin's PD range (the first bin open below, the last open above).
-- One row per reporting month at least (model_version '' and bin 0 when no version scored that month,
-- e.g. risk scores never delivered), so the table is never empty and no column is entirely NULL.
-- Aggregate-only: counts and shares per bin, no customer.
select
  m.as_of_month,
  strftime(m.as_of_month, '%Y-%m') as month,
  coalesce(d.model_version, '') as model_version,
  coalesce(strftime(d.reference_month, '%Y-%m'), '') as reference_month,
  coalesce(d.is_reference_month, false) as is_reference_month,
  coalesce(d.is_main_version, false) as is_main_version,
  coalesce(cast(d.bin as integer), 0) as bin,
  coalesce(cast(d.bins as integer), 0) as bins,
  coalesce(case
    when d.bin is null then ''
    when d.lower_edge is null then '≤ ' || format('{:.4f}', d.upper_edge)
    when d.upper_edge is null then '> ' || format('{:.4f}', d.lower_edge)
    else format('{:.4f}', d.lower_edge) || '–' || format('{:.4f}', d.upper_edge)
  end, '') as bin_label,
  coalesce(d.scores, 0) as scores,
  coalesce(d.month_scores, 0) as month_scores,
  coalesce(d.share, 0) as share,
  coalesce(d.reference_scores, 0) as reference_scores,
  coalesce(d.reference_total, 0) as reference_total,
  coalesce(d.reference_share, 0) as reference_share,
  coalesce(d.psi_contribution, 0) as psi_contribution,
  coalesce(d.psi, 0) as psi
from (select distinct as_of_month from metrics.kpi_values) m
left join marts.mart_model__score_distribution d on d.as_of_month = m.as_of_month
order by m.as_of_month, model_version, bin
