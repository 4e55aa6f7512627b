import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__risk_scores',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per customer per score date per model version',
  primaryKey: ['customer_id', 'scored_on', 'model_version'],
  uniqueEnforcedAtLoad: true,
  description: 'Risk-model scores as extracted.',
  columns: {
    customer_id: 'Customer scored.',
    scored_on: 'Score date.',
    model_version: 'Model version.',
    probability_of_default: '12-month probability of default.',
    predicted_default: 'The model predicts default within 12 months.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
  },
  query: (db) =>
    db
      .selectFrom('raw.risk_scores')
      .select([
        'customer_id',
        'scored_on',
        'model_version',
        'pd as probability_of_default',
        'predicted_default',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
