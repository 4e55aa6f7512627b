-- Lead time of early warnings before loans became non-performing: new NPLs of the month counted
-- by lead-time band (days from the first warning to the NPL date) for the whole book.
-- marts.mart_risk__new_npls is one row per loan: it is only ever read AGGREGATED here (no loan id
-- leaves the warehouse). The coverage KPI itself is metrics.kpi_values (warning_coverage).
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  case
    when lead_days is null then '无预警 none'
    when lead_days < 30 then '0-29'
    when lead_days < 90 then '30-89'
    when lead_days < 180 then '90-179'
    else '180+'
  end as lead_band,
  case
    when lead_days is null then 5
    when lead_days < 30 then 4
    when lead_days < 90 then 3
    when lead_days < 180 then 2
    else 1
  end as band_order,
  count(*) as new_npls,
  cast(sum(balance) as double) as balance
from marts.mart_risk__new_npls
group by all
order by as_of_month, band_order
