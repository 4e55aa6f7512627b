import { defineEntity } from '../types.js';

/** Customers: new or changed customer records of the business date. */
export const customers = defineEntity({
  name: 'customers',
  description:
    'Customers (客户): each business date carries customers that are new or changed that day; the latest version as of a date is the customer at that date.',
  history: 'versioned',
  columns: [
    { name: 'customer_id', type: 'text', required: true, description: 'Customer number.' },
    {
      name: 'customer_type',
      type: 'text',
      required: true,
      description: 'individual (个人) or small_business (小微企业).',
      values: ['individual', 'small_business'],
    },
    { name: 'name', type: 'text', required: true, description: 'Customer name.', pii: true },
    {
      name: 'id_number',
      type: 'text',
      required: true,
      description: 'National ID number (居民身份证号) or unified social credit code (统一社会信用代码).',
      pii: true,
    },
    { name: 'phone', type: 'text', required: false, description: 'Mobile phone number.', pii: true },
    { name: 'branch_id', type: 'text', required: true, description: 'Servicing branch.' },
    { name: 'industry', type: 'text', required: false, description: 'Industry (GB/T 4754 section letter) for business customers; occupation group for individuals.' },
    { name: 'onboarded_on', type: 'date', required: true, description: 'Date the relationship started.' },
    {
      name: 'grade',
      type: 'text',
      required: false,
      description: 'Recorded customer grade: A 优质, B 一般, C 高风险. Empty = not graded.',
      values: ['A', 'B', 'C'],
    },
    { name: 'graded_on', type: 'date', required: false, description: 'Date the recorded grade was set.' },
    { name: 'relationship_closed_on', type: 'date', required: false, description: 'Date the relationship ended (churn); empty while active.' },
  ],
  primaryKey: ['customer_id'],
  references: [{ column: 'branch_id', entity: 'branches', entityColumn: 'branch_id' }],
  rules: [
    { id: 'graded_on_with_grade', sql: '(grade IS NULL) = (graded_on IS NULL)', message: 'grade and graded_on must be both set or both empty' },
    { id: 'closed_after_onboarding', sql: 'relationship_closed_on IS NULL OR relationship_closed_on >= onboarded_on', message: 'relationship_closed_on is before onboarded_on' },
  ],
});
