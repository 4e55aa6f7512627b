import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_surveys',
  layer: 'core',
  grain: 'one row per survey response counted in a reporting month',
  primaryKey: ['survey_id'],
  description:
    'Satisfaction survey responses (满意度调查) attributed to the month of surveyed_on, counted only when delivered by that month end, with the respondent as of that month end.',
  inherits: ['staging.stg_lender__surveys'],
  columns: {
    as_of_month: 'Month end of surveyed_on.',
    branch_id: "Respondent's branch as of the month end ('unknown' if not an open relationship then).",
    customer_type: 'individual or small_business.',
    grade: "Recorded grade or 'ungraded'.",
  },
  tests: [{ kind: 'expression', name: 'score_range', sql: 'score BETWEEN 0 AND 100' }],
  query: () => sql`
    SELECT s.survey_id, m.as_of_month, s.customer_id,
      coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
      coalesce(c.grade, 'ungraded') AS grade, s.surveyed_on, s.channel, s.score
    FROM staging.stg_lender__surveys s
    JOIN core.dim_months m ON m.as_of_month = last_day(s.surveyed_on)
    LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = s.customer_id AND c.as_of_month = m.as_of_month
    WHERE s.business_date <= m.as_of_month`,
});
