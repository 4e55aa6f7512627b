-- Risk-model calibration by PD decile per evaluation month and model version
-- (marts.mart_model__calibration_deciles: the scores made horizon months before the month end, cut into
-- 10 equal groups by PD; mean predicted PD, defaults and the observed default rate are computed there).
-- One row per reporting month at least (model_version '' and decile 0 before any score has a full
-- outcome window), so the table is never empty and no column is entirely NULL.
-- Aggregate-only: counts and rates per decile, no customer.
select
  m.as_of_month,
  strftime(m.as_of_month, '%Y-%m') as month,
  coalesce(c.model_version, '') as model_version,
  coalesce(c.is_main_version, false) as is_main_version,
  coalesce(c.decile, 0) as decile,
  coalesce(c.scores, 0) as scores,
  coalesce(c.mean_pd, 0) as mean_pd,
  coalesce(c.min_pd, 0) as min_pd,
  coalesce(c.max_pd, 0) as max_pd,
  coalesce(c.defaults, 0) as defaults,
  coalesce(c.observed_default_rate, 0) as observed_default_rate
from (select distinct as_of_month from metrics.kpi_values) m
left join marts.mart_model__calibration_deciles c on c.as_of_month = m.as_of_month
order by m.as_of_month, model_version, decile
