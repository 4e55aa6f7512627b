import { defineEntity } from '../types.js';

/** Customer satisfaction surveys. */
export const surveys = defineEntity({
  name: 'surveys',
  description: 'Customer satisfaction surveys (满意度调查), score 0–100.',
  history: 'events',
  columns: [
    { name: 'survey_id', type: 'text', required: true, description: 'Survey response id.' },
    { name: 'customer_id', type: 'text', required: true, description: 'Respondent.' },
    { name: 'surveyed_on', type: 'date', required: true, description: 'Survey date.' },
    { name: 'channel', type: 'text', required: true, description: 'branch, app, phone or web.', values: ['branch', 'app', 'phone', 'web'] },
    { name: 'score', type: 'integer', required: true, description: 'Satisfaction score 0–100.', min: 0, max: 100 },
  ],
  primaryKey: ['survey_id'],
  references: [{ column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' }],
});
