import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__repayment_schedules',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per loan instalment per business date that carried it',
  primaryKey: ['loan_id', 'instalment_no', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Repayment schedule (还款计划) instalments as extracted; a re-sent instalment supersedes the earlier version.',
  inherits: ['raw.repayment_schedule'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.repayment_schedule')
      .select([
        'loan_id',
        'instalment_no',
        'due_on',
        'principal_due',
        'interest_due',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
