import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__surveys',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per survey response',
  primaryKey: ['survey_id'],
  uniqueEnforcedAtLoad: true,
  description: 'Customer satisfaction survey responses as extracted.',
  inherits: ['raw.surveys'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.surveys')
      .select([
        'survey_id',
        'customer_id',
        'surveyed_on',
        'channel',
        'score',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
