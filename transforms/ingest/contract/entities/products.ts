import { defineEntity } from '../types.js';

/** Loan product reference list (full list every business date). */
export const products = defineEntity({
  name: 'products',
  description: 'Loan products (贷款产品): reference list, full snapshot on every business date.',
  history: 'snapshot',
  columns: [
    {
      name: 'product_id',
      type: 'text',
      required: true,
      description: 'Product code.',
      values: ['mortgage', 'car', 'consumer_instalment', 'business', 'working_capital'],
    },
    { name: 'name_zh', type: 'text', required: true, description: 'Chinese name, e.g. 个人住房贷款.' },
    { name: 'name_en', type: 'text', required: true, description: 'English name, e.g. Residential mortgage.' },
    { name: 'segment', type: 'text', required: true, description: 'retail or small_business.', values: ['retail', 'small_business'] },
  ],
  primaryKey: ['product_id'],
  references: [],
});
