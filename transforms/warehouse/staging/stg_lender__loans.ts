import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__loans',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per loan version (loan per business date that carried it)',
  primaryKey: ['loan_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Loan contracts as extracted: every version the lender sent (a restructuring re-sends the loan).',
  inherits: ['raw.loans'],
  columns: {
    is_restructured: { from: 'restructured' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.loans')
      .select([
        'loan_id',
        'customer_id',
        'branch_id',
        'product_id',
        'principal',
        'currency',
        'annual_rate',
        'term_months',
        'repayment_method',
        'guarantee_type',
        'disbursed_on',
        'maturity_on',
        'restructured as is_restructured',
        'restructured_on',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
