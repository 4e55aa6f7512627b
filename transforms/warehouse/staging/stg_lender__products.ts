import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__products',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per product per business date (full reference list each date)',
  primaryKey: ['product_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Loan product reference list as extracted by the lender.',
  columns: {
    product_id: 'Product code.',
    product_name_zh: 'Product name in Chinese.',
    product_name_en: 'Product name in English.',
    segment: 'retail or small_business.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
