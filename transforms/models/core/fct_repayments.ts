import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_repayments',
  layer: 'core',
  grain: 'one row per repayment transaction',
  primaryKey: ['repayment_id'],
  description:
    'Repayments received (实际还款) with the due date of the instalment they pay (repayment-schedule version known when the payment was delivered, ASOF join). Used for collections on non-performing loans (marts.mart_risk__npl_movements). Loan attributes as of a month end are in core.fct_loan_month_ends.',
  columns: {
    repayment_id: 'Repayment id.',
    loan_id: 'Loan.',
    instalment_no: 'Instalment paid.',
    paid_on: 'Value date.',
    paid_month: 'Month end of paid_on.',
    principal_paid: 'Principal repaid, DECIMAL.',
    interest_paid: 'Interest repaid, DECIMAL.',
    amount_paid: 'principal_paid + interest_paid.',
    due_on: 'Due date of the instalment (NULL: instalment not in the schedule delivered by then).',
    days_late: 'paid_on − due_on in days (negative = early; NULL when due_on unknown).',
    business_date: 'Business date that delivered the repayment.',
  },
  tests: [{ kind: 'expression', name: 'amount_nonnegative', sql: 'amount_paid >= 0' }],
  query: () => sql`
    WITH r AS (SELECT * FROM staging.stg_lender__repayments),
    s AS (SELECT loan_id, instalment_no, business_date, due_on FROM staging.stg_lender__repayment_schedules)
    SELECT r.repayment_id, r.loan_id, r.instalment_no, r.paid_on,
      CAST(last_day(r.paid_on) AS DATE) AS paid_month,
      r.principal_paid, r.interest_paid, r.principal_paid + r.interest_paid AS amount_paid,
      s.due_on, CAST(date_diff('day', s.due_on, r.paid_on) AS INTEGER) AS days_late, r.business_date
    FROM r ASOF LEFT JOIN s ON r.loan_id = s.loan_id AND r.instalment_no = s.instalment_no AND r.business_date >= s.business_date`,
});
