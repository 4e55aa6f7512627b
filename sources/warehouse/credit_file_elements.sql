-- Required credit-file elements (授信档案要素) per month end and element, whole bank: how many are
-- current, overdue or missing (customers active at the month end with an on-book loan). Summed from
-- marts.mart_customer__credit_file_elements (branch × customer type); element labels and order from
-- core.dim_code_labels. One row per reporting month × element even when the lender delivers no
-- credit-file updates (counts 0), so the source is never empty.
with months as (
  select distinct as_of_month from metrics.kpi_values
),
elements as (
  select code, label, sort_order from core.dim_code_labels where kind = 'file_element'
),
files as (
  select as_of_month, cast(file_element as varchar) as file_element,
    sum(required_files) as required_files, sum(current_files) as current_files,
    sum(overdue_files) as overdue_files, sum(overdue_90_files) as overdue_90_files, sum(missing_files) as missing_files
  from marts.mart_customer__credit_file_elements
  group by as_of_month, file_element
)
select
  m.as_of_month,
  strftime(m.as_of_month, '%Y-%m') as month,
  e.code as file_element,
  e.label as element_label,
  e.sort_order as element_order,
  coalesce(f.required_files, 0) as required_files,
  coalesce(f.current_files, 0) as current_files,
  coalesce(f.overdue_files, 0) as overdue_files,
  coalesce(f.overdue_90_files, 0) as overdue_90_files,
  coalesce(f.missing_files, 0) as missing_files
from months m
cross join elements e
left join files f on f.as_of_month = m.as_of_month and f.file_element = e.code
order by m.as_of_month, e.sort_order
