-- The post-loan watch-list in numbers (marts.mart_monitoring__watch_list_summary): per month end,
-- branch and warning rule, loans on the list (new + still), new, still and cleared entries, customers
-- and balance on the list. Counts only: no loan or customer id ever leaves the warehouse for the site.
-- Rule labels and order from core.dim_warning_rules; severity and branch labels from core.dim_code_labels.
select
  s.as_of_month,
  strftime(s.as_of_month, '%Y-%m') as month,
  s.branch_id,
  coalesce(b.label, s.branch_id) as branch_label,
  s.rule_id,
  r.label as rule_label,
  r.sort_order as rule_order,
  s.severity,
  coalesce(v.label, s.severity) as severity_label,
  coalesce(v.sort_order, 9) as severity_order,
  s.loans_on_list,
  s.new_loans,
  s.still_loans,
  s.cleared_loans,
  s.customers_on_list,
  cast(s.balance_on_list as double precision) as balance_on_list
from marts.mart_monitoring__watch_list_summary s
join core.dim_warning_rules r on r.rule_id = s.rule_id
left join core.dim_code_labels b on b.kind = 'branch' and b.code = s.branch_id
left join core.dim_code_labels v on v.kind = 'warning_severity' and v.code = s.severity
order by s.as_of_month, s.branch_id, r.sort_order
