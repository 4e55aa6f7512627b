import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_warnings',
  layer: 'core',
  grain: 'one row per warning version (validity interval of business dates)',
  primaryKey: ['warning_id', 'valid_from'],
  description:
    'Early warnings (风险预警) as an as-of history: each delivered version is valid from its business date until the next version (valid_to exclusive, NULL = current). The state of a warning at month end M is the version with valid_from <= M < valid_to. Adds the signal-to-raise lag in days.',
  inherits: ['staging.stg_lender__warnings'],
  columns: {
    valid_from: 'Business date that delivered this version.',
    valid_to: 'Business date of the next version (exclusive); NULL while current.',
    first_delivered_on: 'Business date of the first version (when the warning became known).',
    loan_id: 'Loan, when loan-specific (NULL: customer-level warning, applies to all loans of the customer).',
    raised_on: 'Date part of raised_at.',
    raised_month: 'Month end of raised_on (the reporting month of the warning).',
    closed_at: 'When closed (NULL: open).',
    lag_days: 'Calendar days from signal_on to raised_on (raised_on − signal_on).',
  },
  tests: [
    { kind: 'expression', name: 'lag_nonnegative', sql: 'lag_days >= 0' },
    { kind: 'expression', name: 'valid_interval', sql: 'valid_to IS NULL OR valid_to > valid_from' },
  ],
  query: () => sql`
    SELECT warning_id, business_date AS valid_from,
      lead(business_date) OVER (PARTITION BY warning_id ORDER BY business_date) AS valid_to,
      min(business_date) OVER (PARTITION BY warning_id) AS first_delivered_on,
      customer_id, loan_id, signal_type, signal_on, raised_at,
      CAST(raised_at AS DATE) AS raised_on,
      CAST(last_day(raised_at) AS DATE) AS raised_month,
      severity, closed_at,
      CAST(date_diff('day', signal_on, CAST(raised_at AS DATE)) AS INTEGER) AS lag_days
    FROM staging.stg_lender__warnings`,
});
