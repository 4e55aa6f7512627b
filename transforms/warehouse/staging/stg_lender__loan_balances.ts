import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__loan_balances',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per loan per as-of date',
  primaryKey: ['loan_id', 'as_of_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Loan balance snapshots as extracted (normally month ends).',
  inherits: ['raw.loan_balances'],
  columns: {
    loan_status: { from: 'status' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.loan_balances')
      .select([
        'loan_id',
        'as_of_date',
        'outstanding_principal',
        'overdue_principal',
        'overdue_interest',
        'days_past_due',
        'recorded_class',
        'provision_amount',
        'status as loan_status',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
