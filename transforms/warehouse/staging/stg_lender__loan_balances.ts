import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__loan_balances',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per loan per as-of date',
  primaryKey: ['loan_id', 'as_of_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Loan balance snapshots as extracted (normally month ends).',
  columns: {
    loan_id: 'Loan.',
    as_of_date: 'Snapshot date.',
    outstanding_principal: 'Principal outstanding, DECIMAL(18,2).',
    overdue_principal: 'Principal past due.',
    overdue_interest: 'Interest past due.',
    days_past_due: 'Days past due of the oldest unpaid instalment.',
    recorded_class: 'Five-category class recorded by the lender (正常/关注/次级/可疑/损失).',
    provision_amount: 'Loan-loss provision held.',
    loan_status: 'active, settled or written_off.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
