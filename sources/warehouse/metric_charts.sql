-- Which named charts draw which KPI (metric definition `charts`, metrics.metric_catalog.charts):
-- one row per KPI and chart, e.g. ('npl_ratio', 'npl_trend'), ('npl_ratio', 'branch_overview').
-- A page selects a chart's KPIs by its name (`join warehouse.metric_charts g … where g.chart =
-- 'npl_trend'`), never by listing metric ids. Aggregate-only: metrics schema.
select metric_id, chart
from (
  select metric_id, unnest(string_to_array(charts, ',')) as chart
  from metrics.metric_catalog
  where charts <> ''
) as c
order by chart, metric_id
