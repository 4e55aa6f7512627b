import { defineEntity } from '../types.js';

/** The elements of a customer's credit file (授信档案要素), in display order. */
export const FILE_ELEMENTS = ['financial_statements', 'credit_report', 'collateral_valuation', 'site_visit', 'kyc_documents'] as const;
export type FileElement = (typeof FILE_ELEMENTS)[number];

/**
 * Credit-file updates (授信档案更新): one row per update of one element of a customer's credit file
 * — financial statements received, credit report pulled, collateral revalued, site visit made,
 * KYC documents renewed. Optional: a lender that does not deliver it gets no credit-file KPIs
 * (input not delivered), never 0 %. How often each element must be updated is lender policy
 * (policy/credit-file-cycles.yaml).
 */
export const creditFileUpdates = defineEntity({
  name: 'credit_file_updates',
  description:
    'Credit-file updates (授信档案更新): one row per update of an element of a customer\'s credit file (financial statements, credit report, collateral valuation, site visit, KYC documents) on the date it was made. Optional: deliver the updates made since the previous business date (the first delivery: at least the latest update of every element of every customer); a lender that delivers none has no credit-file KPIs (input not delivered). The update cycles are lender policy (policy/credit-file-cycles.yaml).',
  history: 'events',
  optional: true,
  columns: [
    { name: 'customer_id', type: 'text', required: true, description: 'Customer whose credit file was updated.' },
    {
      name: 'file_element',
      type: 'text',
      required: true,
      description: 'Element updated: financial_statements (财务报表), credit_report (征信报告), collateral_valuation (押品估值), site_visit (实地走访) or kyc_documents (身份及资质证明).',
      values: FILE_ELEMENTS,
    },
    {
      name: 'updated_on',
      type: 'date',
      required: true,
      description: 'Date of the update (statements received, report pulled, valuation or visit made, documents renewed); not after the business date of the delivery.',
      notAfterBusinessDate: true,
    },
  ],
  primaryKey: ['customer_id', 'file_element', 'updated_on'],
  references: [{ column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' }],
});
