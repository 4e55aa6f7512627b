-- Loan, NPL and provision balances (贷款余额 / 不良贷款余额 / 贷款损失准备) per month end for the whole
-- bank, each branch and each product, in 万元 (yuan ÷ 10,000, rounded to 2 decimals ONCE here),
-- with the same figure one month earlier (比上月), at the December of the previous year (比年初)
-- and one year earlier (同比). The changes are differences of the rounded figures, so a shown
-- figure minus its shown comparison is the shown change.
-- One home for the money: marts.mart_credit__portfolio_monthly (summed, never re-derived).
-- The whole-bank row (level 'all', the tables' 合计 row) is rounded from the bank's own total: the
-- sum of the rounded branch rows may differ from it by a few 0.01 万元 (rounding), see docs/report-site.md.
-- Names: the slice labels of metrics.kpi_values. Aggregate-only.
with cube as (
  select as_of_month, 'all' as level, 'ALL' as slice_value, sum(loans) as loans, sum(balance) as balance,
    sum(npl_balance) as npl_balance, sum(provision_amount) as provision_amount
  from marts.mart_credit__portfolio_monthly group by as_of_month
  union all
  select as_of_month, 'branch', cast(branch_id as varchar), sum(loans), sum(balance), sum(npl_balance), sum(provision_amount)
  from marts.mart_credit__portfolio_monthly group by as_of_month, branch_id
  union all
  select as_of_month, 'product', cast(product_id as varchar), sum(loans), sum(balance), sum(npl_balance), sum(provision_amount)
  from marts.mart_credit__portfolio_monthly group by as_of_month, product_id
),
wan as (
  select as_of_month, level, slice_value, loans,
    round(cast(balance as decimal(20, 2)) / 10000, 2)::decimal(18, 2) as loan_wan,
    round(cast(npl_balance as decimal(20, 2)) / 10000, 2)::decimal(18, 2) as npl_wan,
    round(cast(coalesce(provision_amount, 0) as decimal(20, 2)) / 10000, 2)::decimal(18, 2) as provision_wan
  from cube
  where balance is not null
),
labels as (
  select slice, slice_value, min(slice_label) as slice_label
  from metrics.kpi_values where slice in ('branch', 'product')
  group by slice, slice_value
)
select
  strftime(c.as_of_month, '%Y-%m') as month,
  c.as_of_month,
  c.level,
  c.slice_value,
  case when c.level = 'all' then '合计 Total' else coalesce(l.slice_label, c.slice_value) end as slice_label,
  case c.level when 'all' then 0 else 1 end as level_order,
  c.loans,
  cast(c.loan_wan as double precision) as loan_wan,
  cast(c.loan_wan - m.loan_wan as double precision) as loan_mom_wan,
  cast(c.loan_wan - y0.loan_wan as double precision) as loan_ytd_wan,
  cast(c.loan_wan - y1.loan_wan as double precision) as loan_yoy_wan,
  cast(c.npl_wan as double precision) as npl_wan,
  cast(c.npl_wan - m.npl_wan as double precision) as npl_mom_wan,
  cast(c.npl_wan - y0.npl_wan as double precision) as npl_ytd_wan,
  cast(c.npl_wan - y1.npl_wan as double precision) as npl_yoy_wan,
  cast(c.provision_wan as double precision) as provision_wan,
  cast(c.provision_wan - m.provision_wan as double precision) as provision_mom_wan,
  cast(c.provision_wan - y0.provision_wan as double precision) as provision_ytd_wan,
  cast(c.provision_wan - y1.provision_wan as double precision) as provision_yoy_wan
from wan c
left join wan m on m.level = c.level and m.slice_value = c.slice_value
  and m.as_of_month = cast(last_day(c.as_of_month - interval '1 month') as date)
left join wan y0 on y0.level = c.level and y0.slice_value = c.slice_value
  and y0.as_of_month = make_date(year(c.as_of_month) - 1, 12, 31)
left join wan y1 on y1.level = c.level and y1.slice_value = c.slice_value
  and y1.as_of_month = cast(last_day(c.as_of_month - interval '12 months') as date)
left join labels l on l.slice = c.level and l.slice_value = c.slice_value
order by c.as_of_month, c.level, c.slice_value
