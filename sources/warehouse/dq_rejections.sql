-- Data quality: rejected extract rows GROUPED by extract, reason and column — counts only.
-- ops.rejected_rows keeps the rejected raw record for the operators; it never leaves the
-- warehouse (transforms/publish/site/build-site.ts refuses any source that mentions that column).
-- One row per extract that was ever loaded, so the table is never empty: reason_code is '' and
-- rejected_rows 0 for an extract with no rejections.
-- Text columns are never NULL (an all-NULL column would make Evidence guess its type and warn).
select
  a.entity,
  coalesce(r.reason_code, '') as reason_code,
  coalesce(r.column_name, '') as column_name,
  coalesce(r.rejected_rows, 0) as rejected_rows,
  coalesce(strftime(r.first_date, '%Y-%m-%d'), '') as first_date,
  coalesce(strftime(r.last_date, '%Y-%m-%d'), '') as last_date
from (select distinct entity from ops.load_audit) a
left join (
  select
    entity,
    reason_code,
    coalesce(column_name, '—') as column_name,
    count(*) as rejected_rows,
    min(business_date) as first_date,
    max(business_date) as last_date
  from ops.rejected_rows
  group by entity, reason_code, coalesce(column_name, '—')
) r on r.entity = a.entity
order by rejected_rows desc, a.entity, r.reason_code
