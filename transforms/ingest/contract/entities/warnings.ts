import { defineEntity } from '../types.js';

/** Early-warning events issued by the lender's warning system. */
export const warnings = defineEntity({
  name: 'warnings',
  description: 'Early-warning events (风险预警): new or updated (closed) warnings of the business date.',
  history: 'versioned',
  columns: [
    { name: 'warning_id', type: 'text', required: true, description: 'Warning id.' },
    { name: 'customer_id', type: 'text', required: true, description: 'Customer warned about.' },
    { name: 'loan_id', type: 'text', required: false, description: 'Loan, when the warning is loan-specific.' },
    {
      name: 'signal_type',
      type: 'text',
      required: true,
      description: 'Signal: overdue_other_bank, income_drop, court_case, tax_arrears, industry_downturn, contact_lost, collateral_value_drop, credit_inquiries.',
    },
    { name: 'signal_on', type: 'date', required: true, description: 'When the risk signal appeared in source data.' },
    { name: 'raised_at', type: 'timestamp', required: true, description: 'When the system issued the warning.' },
    { name: 'severity', type: 'text', required: true, description: 'low, medium or high.', values: ['low', 'medium', 'high'] },
    { name: 'closed_at', type: 'timestamp', required: false, description: 'When the warning was closed; empty while open.' },
  ],
  primaryKey: ['warning_id'],
  references: [
    { column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' },
    { column: 'loan_id', entity: 'loans', entityColumn: 'loan_id' },
  ],
  rules: [
    { id: 'raised_after_signal', sql: 'CAST(raised_at AS DATE) >= signal_on', message: 'raised_at is before signal_on' },
    { id: 'closed_after_raised', sql: 'closed_at IS NULL OR closed_at >= raised_at', message: 'closed_at is before raised_at' },
  ],
});
