import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_ops__verification_audits',
  layer: 'marts',
  grain: 'one row per verification check first audited in the month',
  primaryKey: ['as_of_month', 'verification_id'],
  description:
    'Verification checks sampled for quality audit, attributed to the month whose business dates first delivered the audit outcome, in the version known at that month end. Feeds verification_accuracy. No personal data.',
  inherits: ['core.fct_verifications', 'core.fct_customer_month_ends'],
  columns: {
    as_of_month: 'Month end of the first delivery of the audit outcome.',
    is_correct: "audit_outcome = 'correct'.",
  },
  tests: [{ kind: 'accepted_values', column: 'audit_outcome', values: ['correct', 'incorrect'] }],
  query: () => sql`
    SELECT m.as_of_month, v.verification_id,
      coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
      coalesce(c.grade, 'ungraded') AS grade,
      v.audit_outcome, v.audit_outcome = 'correct' AS is_correct
    FROM core.fct_verifications v
    JOIN core.dim_months m ON m.as_of_month = v.audited_month
    LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = v.customer_id AND c.as_of_month = m.as_of_month
    WHERE v.valid_from <= m.as_of_month AND (v.valid_to IS NULL OR v.valid_to > m.as_of_month)
      AND v.audit_outcome IS NOT NULL`,
});
