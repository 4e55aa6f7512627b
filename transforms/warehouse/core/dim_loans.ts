import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'dim_loans',
  layer: 'core',
  grain: 'one row per loan (latest version delivered)',
  primaryKey: ['loan_id'],
  description:
    'Loan contracts (借据) in their latest delivered version. For the contract as of a past month end use core.fct_loan_month_ends (which takes the latest version with business_date <= that month end).',
  inherits: ['staging.stg_lender__loans'],
  columns: {
    cohort_month: 'Month end of the disbursement month (vintage cohort).',
    first_business_date: 'Business date of the first version.',
    version_business_date: 'Business date of this (latest) version.',
    versions: 'Number of versions delivered.',
  },
  tests: [
    { kind: 'relationships', column: 'customer_id', to: 'core.dim_customers', field: 'customer_id' },
    { kind: 'relationships', column: 'product_id', to: 'core.dim_products', field: 'product_id' },
    { kind: 'expression', name: 'principal_positive', sql: 'principal > 0' },
  ],
  query: () => sql`
    -- The latest version of each loan (a window, not DuckDB's max_by over a struct: the same text runs on PostgreSQL).
    SELECT loan_id, customer_id, branch_id, product_id, principal, currency, annual_rate, term_months, repayment_method, guarantee_type, disbursed_on, maturity_on, is_restructured, restructured_on, CAST(last_day(disbursed_on) AS DATE) AS cohort_month, first_business_date, version_business_date, CAST(versions AS INTEGER) AS versions
    FROM (
      SELECT loan_id, customer_id, branch_id, product_id, principal, currency, annual_rate, term_months, repayment_method, guarantee_type, disbursed_on, maturity_on, is_restructured, restructured_on,
        business_date AS version_business_date,
        min(business_date) OVER (PARTITION BY loan_id) AS first_business_date,
        count(*) OVER (PARTITION BY loan_id) AS versions,
        row_number() OVER (PARTITION BY loan_id ORDER BY business_date DESC) AS latest
      FROM staging.stg_lender__loans
    ) AS v
    WHERE latest = 1`,
});
