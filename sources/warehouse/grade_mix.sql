-- Customer grade mix (客户分级结构) per month end, slice (all / branch / customer_type) and grade
-- basis (recorded / rule). share comes from the mart.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  grade_basis,
  case grade_basis when 'recorded' then '银行认定 Recorded' when 'rule' then '规则测算 Rule' else grade_basis end as basis_label,
  grade,
  case grade when 'A' then 'A 优质 Prime' when 'B' then 'B 一般 Standard' when 'C' then 'C 高风险 High risk'
    when 'ungraded' then '未分级 Ungraded' else grade end as grade_label,
  customers,
  share
from marts.mart_customer__grade_mix
order by as_of_month, slice, slice_value, grade_basis, grade
