-- Vintage curves (账龄分析): cumulative 90+ / written-off share of each disbursement cohort by
-- months on book, per slice. Rates come from the mart.
select
  cohort_month,
  strftime(cohort_month, '%Y-%m') as cohort,
  months_on_book,
  as_of_month,
  slice,
  slice_value,
  cast(cohort_loans as bigint) as cohort_loans,
  cast(cohort_principal as double precision) as cohort_principal,
  cast(bad_loans as bigint) as bad_loans,
  cast(bad_balance as double precision) as bad_balance,
  cum_90_rate_count,
  cum_90_rate_balance
from marts.mart_risk__vintages
order by slice, slice_value, cohort_month, months_on_book
