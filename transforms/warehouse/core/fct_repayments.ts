import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_repayments',
  layer: 'core',
  // A thin view: 14 million rows on the 1M-customer sample and no KPI reads it, so it costs the
  // nightly build nothing. The due date of the instalment paid is in staging.stg_lender__repayment_schedules
  // (latest version with business_date <= the repayment's business_date; an ASOF join).
  materialized: 'view',
  grain: 'one row per repayment transaction',
  primaryKey: ['repayment_id'],
  uniqueEnforcedAtLoad: true,
  description:
    'Repayments received (实际还款) with their reporting month (paid_month) and amount; counted for a month only when delivered by its month end (business_date <= paid_month). A view (computed when read). Loan attributes as of a month end are in core.fct_loan_month_ends.',
  inherits: ['staging.stg_lender__repayments'],
  columns: {
    paid_month: 'Month end of paid_on.',
    amount_paid: 'principal_paid + interest_paid.',
  },
  tests: [{ kind: 'expression', name: 'amount_nonnegative', sql: 'amount_paid >= 0' }],
  query: () => sql`
    SELECT repayment_id, loan_id, instalment_no, paid_on, CAST(last_day(paid_on) AS DATE) AS paid_month,
      principal_paid, interest_paid, principal_paid + interest_paid AS amount_paid, business_date
    FROM staging.stg_lender__repayments`,
});
