import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__surveys',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per survey response',
  primaryKey: ['survey_id'],
  uniqueEnforcedAtLoad: true,
  description: 'Customer satisfaction survey responses as extracted.',
  columns: {
    survey_id: 'Response id.',
    customer_id: 'Respondent.',
    surveyed_on: 'Survey date.',
    channel: 'branch, app, phone or web.',
    score: 'Score 0–100.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
