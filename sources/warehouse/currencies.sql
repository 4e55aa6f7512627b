-- Loan currencies per month end and how each was converted to the reporting currency (CNY):
-- the rate used and its date, the on-book balance as delivered and in CNY, and the loans whose
-- rate was not delivered. From marts.mart_credit__currency_monthly; amounts as DOUBLE for the browser.
select
  as_of_month,
  strftime(as_of_month, '%Y-%m') as month,
  currency,
  reporting_currency,
  loans,
  on_book_loans,
  cast(orig_balance as double precision) as orig_balance,
  cast(balance as double precision) as balance,
  cast(fx_rate as double precision) as fx_rate,
  strftime(fx_rate_date, '%Y-%m-%d') as fx_rate_date,
  unconverted_loans,
  missing_rate_dates
from marts.mart_credit__currency_monthly
order by as_of_month, currency
