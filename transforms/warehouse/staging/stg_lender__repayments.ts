import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__repayments',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per repayment transaction',
  primaryKey: ['repayment_id'],
  uniqueEnforcedAtLoad: true,
  description: 'Actual repayments received, as extracted.',
  inherits: ['raw.repayments'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.repayments')
      .select([
        'repayment_id',
        'loan_id',
        'instalment_no',
        'paid_on',
        'principal_paid',
        'interest_paid',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
