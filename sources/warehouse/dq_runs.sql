-- Data quality: the last 30 runs of the nightly ledger (ops.runs), newest first. The error text is
-- not shipped (it may quote extract content); the failed step is.
select
  run_id,
  mode,
  business_dates,
  length(business_dates) - length(replace(business_dates, ',', '')) + 1 as business_date_count,
  started_at,
  finished_at,
  date_diff('second', started_at, finished_at) as seconds,
  status,
  coalesce(failed_step, '') as failed_step
from ops.runs
order by started_at desc
limit 30
