import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__customers',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per customer version (customer per business date that carried it)',
  primaryKey: ['customer_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Customer records as extracted: every version the lender sent. The latest version as of a date is the customer at that date.',
  inherits: ['raw.customers'],
  columns: {
    customer_name: { from: 'name' },
    recorded_grade: { from: 'grade' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.customers')
      .select([
        'customer_id',
        'customer_type',
        'name as customer_name',
        'id_number',
        'phone',
        'branch_id',
        'industry',
        'onboarded_on',
        'grade as recorded_grade',
        'graded_on',
        'relationship_closed_on',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
