import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__customers',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per customer version (customer per business date that carried it)',
  primaryKey: ['customer_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Customer records as extracted: every version the lender sent. The latest version as of a date is the customer at that date.',
  columns: {
    customer_id: 'Customer number.',
    customer_type: 'individual or small_business.',
    customer_name: 'Name (personal data).',
    id_number: 'National ID / unified social credit code (personal data).',
    phone: 'Mobile phone (personal data).',
    branch_id: 'Servicing branch.',
    industry: 'Industry or occupation group.',
    onboarded_on: 'Relationship start date.',
    recorded_grade: 'Grade recorded by the lender: A 优质, B 一般, C 高风险.',
    graded_on: 'Date the recorded grade was set.',
    relationship_closed_on: 'Date the relationship ended.',
    business_date: 'Business date of the extract that carried this version.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
