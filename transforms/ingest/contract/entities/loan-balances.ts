import { defineEntity } from '../types.js';

/** Loan balances at month end (and at any business date the lender snapshots). */
export const loanBalances = defineEntity({
  name: 'loan_balances',
  description: 'Loan balance snapshots (贷款余额) as of as_of_date, one row per loan still on book or closed in the period.',
  history: 'events',
  columns: [
    { name: 'as_of_date', type: 'date', required: true, description: 'Snapshot date: the business date of the folder (normally a month end).', businessDate: true },
    { name: 'loan_id', type: 'text', required: true, description: 'Loan.' },
    { name: 'outstanding_principal', type: 'money', required: true, description: 'Principal outstanding (including overdue principal).', min: 0 },
    { name: 'overdue_principal', type: 'money', required: true, description: 'Principal past due.', min: 0 },
    { name: 'overdue_interest', type: 'money', required: true, description: 'Interest past due.', min: 0 },
    { name: 'days_past_due', type: 'integer', required: true, description: 'Days the oldest unpaid instalment is past due (0 = current).', min: 0, max: 9999 },
    {
      name: 'recorded_class',
      type: 'text',
      required: true,
      description: 'Five-category class recorded by the lender: 正常 / 关注 / 次级 / 可疑 / 损失.',
      values: ['正常', '关注', '次级', '可疑', '损失'],
    },
    { name: 'provision_amount', type: 'money', required: true, description: 'Loan-loss provision held against the loan.', min: 0 },
    {
      name: 'status',
      type: 'text',
      required: true,
      description:
        'active, settled (paid off this period), written_off (核销 this period) or transferred (转让/处置 this period: sold or transferred to a third party such as an asset management company; the loan leaves the book).',
      values: ['active', 'settled', 'written_off', 'transferred'],
    },
  ],
  primaryKey: ['loan_id', 'as_of_date'],
  references: [{ column: 'loan_id', entity: 'loans', entityColumn: 'loan_id' }],
  rules: [
    { id: 'overdue_within_outstanding', sql: 'overdue_principal <= outstanding_principal', message: 'overdue_principal exceeds outstanding_principal' },
  ],
});
