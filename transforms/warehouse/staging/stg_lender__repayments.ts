import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__repayments',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per repayment transaction',
  primaryKey: ['repayment_id'],
  uniqueEnforcedAtLoad: true,
  description: 'Actual repayments received, as extracted.',
  columns: {
    repayment_id: 'Repayment transaction id.',
    loan_id: 'Loan.',
    instalment_no: 'Instalment the payment is allocated to.',
    paid_on: 'Value date.',
    principal_paid: 'Principal repaid.',
    interest_paid: 'Interest repaid.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
