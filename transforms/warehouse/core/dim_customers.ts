import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'dim_customers',
  layer: 'core',
  grain: 'one row per customer (latest version delivered)',
  primaryKey: ['customer_id'],
  description:
    'Customers (客户) in their latest delivered version, without personal data (name, ID number and phone stay in raw/staging). For the state at a past month end use core.fct_customer_month_ends, never this table.',
  inherits: ['staging.stg_lender__customers'],
  columns: {
    first_business_date: 'Business date of the first version.',
    version_business_date: 'Business date of this (latest) version.',
    versions: 'Number of versions delivered.',
  },
  tests: [
    { kind: 'accepted_values', column: 'customer_type', values: ['individual', 'small_business'] },
    { kind: 'accepted_values', column: 'recorded_grade', values: ['A', 'B', 'C'] },
    { kind: 'relationships', column: 'branch_id', to: 'core.dim_branches', field: 'branch_id' },
  ],
  query: () => sql`
    -- The latest version of each customer (a window, not DuckDB's max_by over a struct: the same text runs on PostgreSQL).
    SELECT customer_id, customer_type, branch_id, industry, onboarded_on, recorded_grade, graded_on, relationship_closed_on, first_business_date, version_business_date, CAST(versions AS INTEGER) AS versions
    FROM (
      SELECT customer_id, customer_type, branch_id, industry, onboarded_on, recorded_grade, graded_on, relationship_closed_on,
        business_date AS version_business_date,
        min(business_date) OVER (PARTITION BY customer_id) AS first_business_date,
        count(*) OVER (PARTITION BY customer_id) AS versions,
        row_number() OVER (PARTITION BY customer_id ORDER BY business_date DESC) AS latest
      FROM staging.stg_lender__customers
    ) AS v
    WHERE latest = 1`,
});
