import { defineEntity } from '../types.js';

/** Repayment schedule: instalments falling due (sent once per loan, re-sent after restructuring). */
export const repaymentSchedule = defineEntity({
  name: 'repayment_schedule',
  description: 'Repayment schedule (还款计划): one row per instalment; a re-sent instalment replaces the earlier version.',
  history: 'versioned',
  columns: [
    { name: 'loan_id', type: 'text', required: true, description: 'Loan.' },
    { name: 'instalment_no', type: 'integer', required: true, description: 'Instalment number, 1-based.', min: 1 },
    { name: 'due_on', type: 'date', required: true, description: 'Due date.' },
    { name: 'principal_due', type: 'money', required: true, description: 'Principal due.', min: 0 },
    { name: 'interest_due', type: 'money', required: true, description: 'Interest due.', min: 0 },
  ],
  primaryKey: ['loan_id', 'instalment_no'],
  references: [{ column: 'loan_id', entity: 'loans', entityColumn: 'loan_id' }],
});
