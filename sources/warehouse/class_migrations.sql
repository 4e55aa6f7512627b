-- Loan classification migration (贷款迁徙) per period end, slice and period (month / ytd): from the
-- class at the period start to the class (or exit) at the period end, with the opening balance, the
-- decrease during the period and its components, and the migrated amount, all from the mart (CNY as
-- DOUBLE for the browser). Labels of classes, exits and periods from core.dim_code_labels. Whole book
-- only (the pages show the branch and product rates from the KPIs): 45 rows per month and period.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  period,
  coalesce(p.label, period) as period_label,
  strftime(period_start, '%Y-%m-%d') as period_start,
  from_class,
  from_class_rank,
  coalesce(f.label, from_class) as from_label,
  to_class,
  to_order,
  coalesce(t.label, to_class) as to_label,
  is_worse,
  is_exit,
  loans,
  cast(opening_balance as double precision) as opening_balance,
  cast(decrease_repaid as double precision) as decrease_repaid,
  cast(decrease_written_off as double precision) as decrease_written_off,
  cast(decrease_transferred as double precision) as decrease_transferred,
  cast(decrease_unreported as double precision) as decrease_unreported,
  cast(decrease as double precision) as decrease,
  cast(remaining_balance as double precision) as remaining_balance,
  cast(migrated_balance as double precision) as migrated_balance
from marts.mart_credit__class_migrations m
left join core.dim_code_labels f on f.kind = 'five_class' and f.code = m.from_class
left join core.dim_code_labels t on t.kind = 'migration_state' and t.code = m.to_class
left join core.dim_code_labels p on p.kind = 'migration_period' and p.code = m.period
where m.slice = 'all'
order by as_of_month, slice, slice_value, period, from_class_rank, to_order
