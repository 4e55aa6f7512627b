import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_ops__verification_submissions',
  layer: 'marts',
  grain: 'one row per verification check submitted in the month',
  primaryKey: ['as_of_month', 'verification_id'],
  description:
    'Verification checks (信息核验) submitted in the month, in the version known at the month end (a check still pending at the month end counts as not completed within the SLA). Feeds verification_within_24h and verification_hours_median. No personal data (check ids only).',
  inherits: ['core.fct_verifications', 'core.fct_customer_month_ends'],
  columns: {
    as_of_month: 'Month end of submitted_at.',
    is_completed: 'verified_at known at the month end.',
    within_sla: 'Completed within the SLA hours (default 24) of submission.',
  },
  query: () => sql`
    SELECT m.as_of_month, v.verification_id,
      coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
      coalesce(c.grade, 'ungraded') AS grade,
      v.verified_at IS NOT NULL AS is_completed,
      coalesce(v.verified_at <= v.submitted_at + INTERVAL '${sql.raw(String(activeRules().kpi.verification.slaHours))} hour', false) AS within_sla,
      v.hours_to_verify
    FROM core.fct_verifications v
    JOIN core.dim_months m ON m.as_of_month = v.submitted_month
    LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = v.customer_id AND c.as_of_month = m.as_of_month
    WHERE v.valid_from <= m.as_of_month AND (v.valid_to IS NULL OR v.valid_to > m.as_of_month)`,
});
