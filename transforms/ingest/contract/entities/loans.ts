import { CURRENCY_ALIASES, CURRENCY_CODES, ISO_4217_FILE } from '../currencies.js';
import { defineEntity } from '../types.js';

/** Loans: new or changed loan contracts of the business date. */
export const loans = defineEntity({
  name: 'loans',
  description: 'Loan contracts (借据): new or changed loans of the business date (versioned; latest version as of a date wins).',
  history: 'versioned',
  columns: [
    { name: 'loan_id', type: 'text', required: true, description: 'Loan (借据) number.' },
    { name: 'customer_id', type: 'text', required: true, description: 'Borrower.' },
    { name: 'branch_id', type: 'text', required: true, description: 'Booking branch.' },
    {
      name: 'product_id',
      type: 'text',
      required: true,
      description: 'Product code.',
      values: ['mortgage', 'car', 'consumer_instalment', 'business', 'working_capital'],
    },
    { name: 'principal', type: 'money', required: true, description: 'Contract principal.', min: 0.01 },
    {
      name: 'currency',
      type: 'text',
      required: true,
      description:
        'ISO 4217 code of the currency the loan\'s amounts (principal, and its balances, overdue amounts and provisions) are in. Amounts in a currency other than CNY are converted with the fx_rates extract.',
      values: CURRENCY_CODES,
      valuesList: { name: 'an ISO 4217 currency code', file: ISO_4217_FILE, aliases: CURRENCY_ALIASES },
    },
    { name: 'annual_rate', type: 'rate', required: true, description: 'Annual interest rate as a fraction (0.0435 = 4.35%).', min: 0, max: 0.36 },
    { name: 'term_months', type: 'integer', required: true, description: 'Term in months.', min: 1, max: 360 },
    {
      name: 'repayment_method',
      type: 'text',
      required: true,
      description: 'equal_instalment 等额本息, equal_principal 等额本金, interest_first 先息后本.',
      values: ['equal_instalment', 'equal_principal', 'interest_first'],
    },
    {
      name: 'guarantee_type',
      type: 'text',
      required: true,
      description: 'credit 信用, mortgage 抵押, pledge 质押, guarantee 保证.',
      values: ['credit', 'mortgage', 'pledge', 'guarantee'],
    },
    { name: 'disbursed_on', type: 'date', required: true, description: 'Disbursement date.' },
    { name: 'maturity_on', type: 'date', required: true, description: 'Contract maturity date.' },
    { name: 'restructured', type: 'boolean', required: true, description: 'True once the loan has been restructured (重组).' },
    { name: 'restructured_on', type: 'date', required: false, description: 'Date of the (latest) restructuring.' },
  ],
  primaryKey: ['loan_id'],
  references: [
    { column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' },
    { column: 'branch_id', entity: 'branches', entityColumn: 'branch_id' },
    { column: 'product_id', entity: 'products', entityColumn: 'product_id' },
  ],
  rules: [
    { id: 'maturity_after_disbursement', sql: 'maturity_on > disbursed_on', message: 'maturity_on is not after disbursed_on' },
    { id: 'restructured_date', sql: 'restructured = (restructured_on IS NOT NULL)', message: 'restructured and restructured_on disagree' },
  ],
});
