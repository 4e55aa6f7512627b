-- Lead time of early warnings before loans became non-performing: new NPLs of the month counted
-- by lead-time band (days from the first warning to the NPL date) for the whole book.
-- marts.mart_risk__new_npls is one row per loan: it is only ever read AGGREGATED here (no loan id
-- leaves the warehouse). The coverage KPI itself is metrics.kpi_values (warning_coverage).
-- Band labels and order (longest lead first, "no warning" last) from core.dim_code_labels.
with bands as (
  select
    as_of_month,
    case
      when lead_days is null then 'none'
      when lead_days < 30 then '0-29'
      when lead_days < 90 then '30-89'
      when lead_days < 180 then '90-179'
      else '180+'
    end as lead_code,
    count(*) as new_npls,
    cast(sum(balance) as double precision) as balance
  from marts.mart_risk__new_npls
  group by 1, 2
)
select
  b.as_of_month,
  strftime(b.as_of_month, '%Y-%m') as month,
  b.lead_code,
  coalesce(l.label, b.lead_code) as lead_band,
  coalesce(l.sort_order, 99) as band_order,
  b.new_npls,
  b.balance
from bands b
left join core.dim_code_labels l on l.kind = 'lead_band' and l.code = b.lead_code
order by b.as_of_month, band_order
