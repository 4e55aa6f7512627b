import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'dim_months',
  layer: 'core',
  grain: 'one row per reporting month end',
  primaryKey: ['as_of_month'],
  description:
    'Reporting months: every calendar month that holds at least one loaded business date and whose month end is not after the latest loaded business date (a month is reported once it is complete). Everything as of a month end uses only rows delivered with business_date <= that month end, which makes every past month reproducible.',
  columns: {
    as_of_month: 'Month end (DATE), the key every month-end fact and KPI uses.',
    month_start: 'First day of the month.',
    prev_month_end: 'Previous calendar month end.',
    year_ago_month_end: 'Same month end one year earlier (prior-year targets).',
    month_label: 'YYYY-MM.',
    month_index: '1-based position in the reporting months.',
    has_prev_month: 'The previous calendar month is also a reporting month (month-over-month movements are defined).',
    next_month_end: 'Next calendar month end.',
    has_next_month: 'The next calendar month is also a reporting month.',
  },
  tests: [{ kind: 'expression', name: 'as_of_month_is_month_end', sql: 'as_of_month = last_day(as_of_month)' }],
  query: () => sql`
    WITH bd AS (SELECT DISTINCT business_date FROM ops.load_audit),
    lim AS (SELECT max(business_date) AS last_bd FROM bd),
    m AS (
      SELECT DISTINCT CAST(last_day(business_date) AS DATE) AS as_of_month
      FROM bd, lim WHERE last_day(business_date) <= last_bd
    )
    SELECT
      as_of_month,
      CAST(date_trunc('month', as_of_month) AS DATE) AS month_start,
      CAST(date_trunc('month', as_of_month) - INTERVAL '1 day' AS DATE) AS prev_month_end,
      CAST(last_day(as_of_month - INTERVAL '12 month') AS DATE) AS year_ago_month_end,
      strftime(as_of_month, '%Y-%m') AS month_label,
      CAST(row_number() OVER (ORDER BY as_of_month) AS INTEGER) AS month_index,
      CAST(date_trunc('month', as_of_month) - INTERVAL '1 day' AS DATE) IN (SELECT as_of_month FROM m) AS has_prev_month,
      CAST(last_day(as_of_month + INTERVAL '1 month') AS DATE) AS next_month_end,
      CAST(last_day(as_of_month + INTERVAL '1 month') AS DATE) IN (SELECT as_of_month FROM m) AS has_next_month
    FROM m`,
});
