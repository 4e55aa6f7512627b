-- NPL roll-forward (不良贷款变动) per month end and slice: opening + new − cured − written off −
-- recovered − exited − paydown = closing (signs from the mart), plus cash collected.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  slice,
  slice_value,
  movement,
  case movement
    when 'opening' then '期初不良余额 Opening NPL balance'
    when 'new_npl' then '新增不良 New NPLs'
    when 'cured' then '上迁（转回正常/关注）Cured'
    when 'written_off' then '核销 Written off'
    when 'recovered' then '清收结清 Recovered (settled)'
    when 'exited_unreported' then '未报送退出 Exited (not reported)'
    when 'paydown' then '余额压降 Paydown'
    when 'closing' then '期末不良余额 Closing NPL balance'
    when 'cash_collected' then '不良贷款回收本金 Cash collected'
    else movement
  end as movement_label,
  movement_order,
  sign,
  loans,
  cast(balance as double) as balance
from marts.mart_risk__npl_movements
order by as_of_month, slice, slice_value, movement_order
