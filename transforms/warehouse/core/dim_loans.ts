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
    SELECT loan_id, v.*, CAST(last_day(v.disbursed_on) AS DATE) AS cohort_month, first_business_date, version_business_date,
      CAST(versions AS INTEGER) AS versions
    FROM (
      SELECT loan_id,
        max_by({'customer_id': customer_id, 'branch_id': branch_id, 'product_id': product_id, 'principal': principal,
                'currency': currency, 'annual_rate': annual_rate, 'term_months': term_months, 'repayment_method': repayment_method,
                'guarantee_type': guarantee_type, 'disbursed_on': disbursed_on, 'maturity_on': maturity_on,
                'is_restructured': is_restructured, 'restructured_on': restructured_on}, business_date) AS v,
        min(business_date) AS first_business_date, max(business_date) AS version_business_date, count(*) AS versions
      FROM staging.stg_lender__loans
      GROUP BY loan_id
    )`,
});
