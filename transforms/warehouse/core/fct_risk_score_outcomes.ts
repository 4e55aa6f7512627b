import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_risk_score_outcomes',
  layer: 'core',
  grain: 'one row per risk score old enough to have an outcome (customer × score date × model version)',
  primaryKey: ['customer_id', 'scored_on', 'model_version'],
  description:
    'Risk-model scores (PD) with the realised outcome over the horizon (default 12 months): a score of month s is evaluated at month end s + horizon (as_of_month), using only loan-months up to that month end. Default = some loan of the customer recorded 次级 or worse, > 90 days past due, or written off in a month end in (s, s + horizon] (policy/kpi-rules.yaml, model_validation). Customers already in default at the score month end are kept but flagged not evaluable.',
  inherits: ['staging.stg_lender__risk_scores'],
  columns: {
    score_month: 'Month end of scored_on.',
    as_of_month: 'Evaluation month end (score month + horizon): the KPI month of model accuracy, AUC and KS.',
    pd: 'Probability of default (DOUBLE).',
    pd_bin: 'PD rounded to the configured decimals (DECIMAL), used for AUC / KS.',
    predicted_default: 'The model predicted default within the horizon.',
    in_default_at_score: 'Already in default at the score month end.',
    is_evaluable: 'Not in default at the score month end (the validation population).',
    defaulted_within_horizon: 'Realised default in a month end after the score month up to the evaluation month.',
    is_correct: 'predicted_default = defaulted_within_horizon.',
    branch_id: "Customer's branch at the score month end ('unknown' if none).",
    customer_type: 'Customer type at the score month end.',
    grade: "Recorded grade at the score month end or 'ungraded'.",
  },
  tests: [{ kind: 'expression', name: 'evaluated_after_score', sql: 'as_of_month > score_month' }],
  query: () => {
    const mv = activeRules().kpi.modelValidation;
    const horizon = Math.trunc(mv.horizonMonths);
    const decimals = Math.max(0, Math.min(8, Math.trunc(mv.pdBinDecimals)));
    return sql`
    WITH d AS (SELECT DISTINCT customer_id, as_of_month FROM core.fct_loan_month_ends WHERE is_in_default),
    s AS (
      SELECT r.customer_id, r.scored_on, r.model_version, r.probability_of_default AS pd, r.predicted_default, r.business_date,
        CAST(last_day(r.scored_on) AS DATE) AS score_month,
        CAST(last_day(r.scored_on + INTERVAL '${sql.raw(String(horizon))} month') AS DATE) AS as_of_month
      FROM staging.stg_lender__risk_scores r
    ),
    e AS (
      SELECT s.* FROM s JOIN core.dim_months m ON m.as_of_month = s.as_of_month WHERE s.business_date <= s.as_of_month
    ),
    o AS (
      SELECT e.customer_id, e.scored_on, e.model_version,
        bool_or(d.as_of_month = e.score_month) AS in_default_at_score,
        bool_or(d.as_of_month > e.score_month) AS defaulted_within_horizon
      FROM e JOIN d ON d.customer_id = e.customer_id AND d.as_of_month >= e.score_month AND d.as_of_month <= e.as_of_month
      GROUP BY e.customer_id, e.scored_on, e.model_version
    )
    SELECT e.customer_id, e.scored_on, e.model_version, e.score_month, e.as_of_month, e.pd,
      CAST(round(e.pd, ${sql.raw(String(decimals))}) AS DECIMAL(18, ${sql.raw(String(decimals))})) AS pd_bin,
      e.predicted_default,
      coalesce(o.in_default_at_score, false) AS in_default_at_score,
      NOT coalesce(o.in_default_at_score, false) AS is_evaluable,
      coalesce(o.defaulted_within_horizon, false) AS defaulted_within_horizon,
      e.predicted_default = coalesce(o.defaulted_within_horizon, false) AS is_correct,
      coalesce(c.branch_id, 'unknown') AS branch_id, coalesce(c.customer_type, 'unknown') AS customer_type,
      coalesce(c.grade, 'ungraded') AS grade
    FROM e
    LEFT JOIN o ON o.customer_id = e.customer_id AND o.scored_on = e.scored_on AND o.model_version = e.model_version
    LEFT JOIN core.fct_customer_month_ends c ON c.customer_id = e.customer_id AND c.as_of_month = e.score_month`;
  },
});
