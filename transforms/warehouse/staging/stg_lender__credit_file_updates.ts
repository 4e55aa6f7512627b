import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__credit_file_updates',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per update of one credit-file element of a customer on a date',
  primaryKey: ['customer_id', 'file_element', 'updated_on'],
  uniqueEnforcedAtLoad: true,
  description:
    'Credit-file updates (授信档案更新) as extracted (optional extract credit_file_updates): financial statements received, credit report pulled, collateral revalued, site visit made, KYC documents renewed. core.fct_credit_file_month_ends turns them into the state of every required element at each month end.',
  inherits: ['raw.credit_file_updates'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.credit_file_updates')
      .select(['customer_id', 'file_element', 'updated_on', '_business_date as business_date', '_source_file as source_file', '_source_line as source_line']),
});
