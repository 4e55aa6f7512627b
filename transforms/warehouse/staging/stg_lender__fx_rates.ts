import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__fx_rates',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per currency per rate date',
  primaryKey: ['as_of_date', 'currency'],
  uniqueEnforcedAtLoad: true,
  description:
    'FX rates as extracted (optional extract fx_rates): CNY per one unit of a foreign currency at a date. core.fct_loan_month_ends converts a loan\'s amounts at the rate dated its balance snapshot\'s date.',
  inherits: ['raw.fx_rates'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.fx_rates')
      .select(['as_of_date', 'currency', 'cny_per_unit', '_business_date as business_date', '_source_file as source_file', '_source_line as source_line']),
});
