import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_risk__score_outcomes',
  layer: 'marts',
  grain: 'one row per evaluation month end × branch × customer type × grade × PD bin',
  primaryKey: ['as_of_month', 'branch_id', 'customer_type', 'grade', 'pd_bin'],
  description:
    'Risk-model validation histogram: evaluable scores (not in default when scored) whose outcome window ended at this month end, by PD bin, with realised defaults, predictions and correct predictions. model_accuracy sums it; model_auc and model_ks rank the bins per slice. Dimensions are the customer\'s at the score month end. Aggregated; no personal data.',
  inherits: ['core.fct_risk_score_outcomes'],
  columns: {
    scores: 'Evaluable scores.',
    defaults: 'Of which defaulted within the horizon.',
    predicted_defaults: 'Of which the model predicted default.',
    correct_predictions: 'Of which prediction = outcome.',
  },
  query: () => sql`
    SELECT as_of_month, branch_id, customer_type, grade, pd_bin,
      count(*) AS scores,
      count(*) FILTER (WHERE defaulted_within_horizon) AS defaults,
      count(*) FILTER (WHERE predicted_default) AS predicted_defaults,
      count(*) FILTER (WHERE is_correct) AS correct_predictions
    FROM core.fct_risk_score_outcomes
    WHERE is_evaluable
    GROUP BY as_of_month, branch_id, customer_type, grade, pd_bin`,
});
