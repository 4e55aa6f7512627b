import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__warnings',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per warning version (warning per business date that carried it)',
  primaryKey: ['warning_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Early-warning events as extracted; a warning is re-sent when it is closed.',
  inherits: ['raw.warnings'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.warnings')
      .select([
        'warning_id',
        'customer_id',
        'loan_id',
        'signal_type',
        'signal_on',
        'raised_at',
        'severity',
        'closed_at',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
