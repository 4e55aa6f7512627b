import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__risk_scores',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per customer per score date per model version',
  primaryKey: ['customer_id', 'scored_on', 'model_version'],
  uniqueEnforcedAtLoad: true,
  description: 'Risk-model scores as extracted.',
  inherits: ['raw.risk_scores'],
  columns: {
    probability_of_default: { from: 'pd' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
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
