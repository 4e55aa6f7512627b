import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__products',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per product per business date (full reference list each date)',
  primaryKey: ['product_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Loan product reference list as extracted by the lender.',
  inherits: ['raw.products'],
  columns: {
    product_name_zh: { from: 'name_zh' },
    product_name_en: { from: 'name_en' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.products')
      .select([
        'product_id',
        'name_zh as product_name_zh',
        'name_en as product_name_en',
        'segment',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
