import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_customer__satisfaction_monthly',
  layer: 'marts',
  grain: 'one row per month end × branch × customer type × grade',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type', 'grade'],
  description: 'Satisfaction survey responses (满意度) of the month: count and score sum (so means re-aggregate exactly). No personal data.',
  inherits: ['core.fct_surveys'],
  columns: {
    responses: 'Responses.',
    score_sum: 'Sum of scores (0–100 each).',
  },
  query: () => sql`
    SELECT as_of_month, branch_id, customer_type, grade, count(*) AS responses, sum(score) AS score_sum
    FROM core.fct_surveys GROUP BY as_of_month, branch_id, customer_type, grade`,
});
