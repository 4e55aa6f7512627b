import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__warnings',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per warning version (warning per business date that carried it)',
  primaryKey: ['warning_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Early-warning events as extracted; a warning is re-sent when it is closed.',
  columns: {
    warning_id: 'Warning id.',
    customer_id: 'Customer warned about.',
    loan_id: 'Loan, when loan-specific.',
    signal_type: 'Kind of risk signal.',
    signal_on: 'When the signal appeared in source data.',
    raised_at: 'When the warning was issued.',
    severity: 'low, medium or high.',
    closed_at: 'When the warning was closed.',
    business_date: 'Business date of the extract that carried this version.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
