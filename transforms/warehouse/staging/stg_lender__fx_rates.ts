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
  columns: {
    as_of_date: 'Date of the rate (the business date of the folder that carried it).',
    currency: 'ISO 4217 code of the foreign currency.',
    cny_per_unit: 'CNY per one unit of the currency (DOUBLE as delivered; converted as DECIMAL(18,10)).',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
  },
  query: (db) =>
    db
      .selectFrom('raw.fx_rates')
      .select(['as_of_date', 'currency', 'cny_per_unit', '_business_date as business_date', '_source_file as source_file', '_source_line as source_line']),
});
