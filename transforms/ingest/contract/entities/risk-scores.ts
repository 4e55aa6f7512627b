import { defineEntity } from '../types.js';

/** Risk-model scores (probability of default) per customer. */
export const riskScores = defineEntity({
  name: 'risk_scores',
  description: 'Risk-model scores (风险模型评分): probability of default over 12 months and the model\'s default prediction.',
  history: 'events',
  columns: [
    { name: 'customer_id', type: 'text', required: true, description: 'Customer scored.' },
    { name: 'scored_on', type: 'date', required: true, description: 'Score date.' },
    { name: 'model_version', type: 'text', required: true, description: 'Model version, e.g. pd-2.3.' },
    { name: 'pd', type: 'rate', required: true, description: '12-month probability of default, 0–1.', min: 0, max: 1 },
    { name: 'predicted_default', type: 'boolean', required: true, description: 'The model predicts default within 12 months.' },
  ],
  primaryKey: ['customer_id', 'scored_on', 'model_version'],
  references: [{ column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' }],
});
