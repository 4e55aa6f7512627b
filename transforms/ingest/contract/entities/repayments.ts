import { defineEntity } from '../types.js';

/** Actual repayments received. */
export const repayments = defineEntity({
  name: 'repayments',
  description: 'Actual repayments (实际还款) received on the business date(s) covered by the file.',
  history: 'events',
  columns: [
    { name: 'repayment_id', type: 'text', required: true, description: 'Repayment transaction id.' },
    { name: 'loan_id', type: 'text', required: true, description: 'Loan.' },
    { name: 'instalment_no', type: 'integer', required: true, description: 'Instalment the payment is allocated to.', min: 1 },
    { name: 'paid_on', type: 'date', required: true, description: 'Value date of the payment.' },
    { name: 'principal_paid', type: 'money', required: true, description: 'Principal repaid.', min: 0 },
    { name: 'interest_paid', type: 'money', required: true, description: 'Interest repaid.', min: 0 },
  ],
  primaryKey: ['repayment_id'],
  references: [{ column: 'loan_id', entity: 'loans', entityColumn: 'loan_id' }],
});
