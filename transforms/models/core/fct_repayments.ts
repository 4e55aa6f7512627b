import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_repayments',
  layer: 'core',
  grain: 'one row per repayment transaction',
  primaryKey: ['repayment_id'],
  description:
    'Repayments received (实际还款) with the instalment they pay (repayment-schedule version known when the payment was delivered, ASOF join) and the loan as of that date. Used for collections on non-performing loans (marts.mart_risk__npl_movements).',
  columns: {
    repayment_id: 'Repayment id.',
    loan_id: 'Loan.',
    customer_id: 'Borrower (loan version as of the payment business date).',
    branch_id: 'Booking branch.',
    product_id: 'Product.',
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
    s AS (SELECT loan_id, instalment_no, business_date, due_on FROM staging.stg_lender__repayment_schedules),
    lv AS (SELECT loan_id, business_date, customer_id, branch_id, product_id FROM staging.stg_lender__loans),
    rs AS (
      SELECT r.*, s.due_on
      FROM r ASOF LEFT JOIN s ON r.loan_id = s.loan_id AND r.instalment_no = s.instalment_no AND r.business_date >= s.business_date
    )
    SELECT rs.repayment_id, rs.loan_id, lv.customer_id, lv.branch_id, lv.product_id, rs.instalment_no, rs.paid_on,
      CAST(last_day(rs.paid_on) AS DATE) AS paid_month,
      rs.principal_paid, rs.interest_paid, rs.principal_paid + rs.interest_paid AS amount_paid,
      rs.due_on, CAST(date_diff('day', rs.due_on, rs.paid_on) AS INTEGER) AS days_late, rs.business_date
    FROM rs ASOF LEFT JOIN lv ON rs.loan_id = lv.loan_id AND rs.business_date >= lv.business_date`,
});
