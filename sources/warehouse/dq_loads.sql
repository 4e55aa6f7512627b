-- Data quality: one row per business date × extract (ops.load_audit, written by the loader) for
-- the last 62 business dates loaded: rows read / loaded / rejected. No file contents, only counts
-- (the file name without its directory, the checksum prefix, the format).
select
  business_date,
  strftime(business_date, '%Y-%m-%d') as business_day,
  entity,
  regexp_replace(path, '^.*[/\\]', '') as file_name,
  format,
  encoding,
  left(sha256, 12) as sha256_prefix,
  bytes,
  rows_read,
  rows_loaded,
  rows_rejected,
  finished_at
from ops.load_audit
where business_date >= (
  select min(d) from (select distinct business_date as d from ops.load_audit order by d desc limit 62) as last_dates
)
order by business_date desc, entity
