import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_risk_score_months',
  layer: 'core',
  grain: 'one row per customer × model version × score month (the latest score of that customer by that version in the month)',
  primaryKey: ['customer_id', 'model_version', 'score_month'],
  description:
    "Risk-model scores as a monthly population, for the model's stability over time (population stability index): one score per customer, model version and reporting month — the customer's latest score of the month by that version — so a customer re-scored within a month is not weighted twice. Only scores delivered by the score month end (business_date <= score month end) count, so a past month's distribution is reproducible.",
  inherits: ['staging.stg_lender__risk_scores'],
  columns: {
    score_month: 'Month end of scored_on (a reporting month).',
    scored_on: "Date of the customer's latest score by this version in the month (the one kept).",
    pd: 'Probability of default of that score (DOUBLE).',
    scores_in_month: 'Scores of this customer by this version in the month (1 unless re-scored; only the latest is kept).',
  },
  tests: [{ kind: 'expression', name: 'score_in_its_month', sql: 'score_month = last_day(scored_on) AND scores_in_month >= 1' }],
  query: () => sql`
    WITH s AS (
      SELECT r.customer_id, r.model_version, r.scored_on, r.probability_of_default AS pd, CAST(last_day(r.scored_on) AS DATE) AS score_month,
        r.business_date
      FROM staging.stg_lender__risk_scores r
    ),
    k AS (
      SELECT s.customer_id, s.model_version, s.scored_on, s.pd, s.score_month,
        count(*) OVER (PARTITION BY s.customer_id, s.model_version, s.score_month) AS scores_in_month,
        row_number() OVER (PARTITION BY s.customer_id, s.model_version, s.score_month ORDER BY s.scored_on DESC) AS rk
      FROM s JOIN core.dim_months m ON m.as_of_month = s.score_month
      WHERE s.business_date <= s.score_month
    )
    SELECT customer_id, model_version, score_month, scored_on, CAST(pd AS DOUBLE PRECISION) AS pd, scores_in_month
    FROM k WHERE rk = 1`,
});
