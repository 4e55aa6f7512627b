import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_verifications',
  layer: 'core',
  grain: 'one row per verification check version (validity interval of business dates)',
  primaryKey: ['verification_id', 'valid_from'],
  description:
    'Information verification checks (信息核验) as an as-of history: a check is re-sent when it completes or is audited; the state at month end M is the version with valid_from <= M < valid_to. Adds hours to complete and the month the check was first delivered with an audit outcome.',
  inherits: ['staging.stg_lender__verifications'],
  columns: {
    valid_from: 'Business date that delivered this version.',
    valid_to: 'Business date of the next version (exclusive); NULL while current.',
    submitted_month: 'Month end of the submission (reporting month of timeliness).',
    verified_at: 'Completed (NULL: pending in this version).',
    hours_to_verify: 'Hours from submitted_at to verified_at (DOUBLE; NULL while pending).',
    first_audited_on: 'Business date of the first version carrying an audit outcome (NULL: never audited).',
    audited_month: 'Month end of first_audited_on (reporting month of accuracy).',
  },
  tests: [
    { kind: 'accepted_values', column: 'result', values: ['pass', 'fail', 'pending'] },
    { kind: 'expression', name: 'hours_nonnegative', sql: 'hours_to_verify IS NULL OR hours_to_verify >= 0' },
  ],
  query: () => sql`
    SELECT verification_id, business_date AS valid_from,
      lead(business_date) OVER (PARTITION BY verification_id ORDER BY business_date) AS valid_to,
      customer_id, submitted_at, CAST(last_day(submitted_at) AS DATE) AS submitted_month,
      verified_at, result, audit_outcome,
      CAST(epoch(verified_at) - epoch(submitted_at) AS DOUBLE PRECISION) / 3600.0 AS hours_to_verify,
      min(CASE WHEN audit_outcome IS NOT NULL THEN business_date END) OVER (PARTITION BY verification_id) AS first_audited_on,
      CAST(last_day(min(CASE WHEN audit_outcome IS NOT NULL THEN business_date END) OVER (PARTITION BY verification_id)) AS DATE) AS audited_month
    FROM staging.stg_lender__verifications`,
});
