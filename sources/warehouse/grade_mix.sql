-- Customer grade mix (客户分级结构) per month end, slice (all / branch / customer_type) and grade
-- basis (recorded / rule). share comes from the mart; labels from core.dim_code_labels.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  grade_basis,
  coalesce(b.label, grade_basis) as basis_label,
  grade,
  coalesce(l.label, grade) as grade_label,
  coalesce(l.sort_order, 99) as grade_order,
  customers,
  share
from marts.mart_customer__grade_mix g
left join core.dim_code_labels l on l.kind = 'grade' and l.code = g.grade
left join core.dim_code_labels b on b.kind = 'grade_basis' and b.code = g.grade_basis
order by as_of_month, slice, slice_value, grade_basis, grade
