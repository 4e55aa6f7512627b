import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'dim_products',
  layer: 'core',
  grain: 'one row per product (latest business date that listed it)',
  primaryKey: ['product_id'],
  description: 'Loan products (贷款产品) with their latest names and segment; used for labels.',
  inherits: ['staging.stg_lender__products'],
  columns: {
    last_listed_on: 'Latest business date whose product list included the product.',
  },
  query: () => sql`
    SELECT product_id, product_name_zh, product_name_en, segment, last_listed_on
    FROM (
      SELECT product_id, product_name_zh, product_name_en, segment, business_date AS last_listed_on,
        row_number() OVER (PARTITION BY product_id ORDER BY business_date DESC) AS latest
      FROM staging.stg_lender__products
    ) AS listed
    WHERE latest = 1`,
});
