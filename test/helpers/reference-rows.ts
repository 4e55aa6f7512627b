import type { ExtractRow } from './extract-rows.js';

/** The two branches every hand-written extract delivers. */
export const BRANCH_ROWS: readonly ExtractRow[] = [
  { branch_id: 'BJ01', name_zh: '北京分行', name_en: 'Beijing Branch', region: '华北' },
  { branch_id: 'SH01', name_zh: '上海分行', name_en: 'Shanghai Branch', region: '华东' },
];

/** The five products every hand-written extract delivers (the contract's product codes). */
export const PRODUCT_ROWS: readonly ExtractRow[] = [
  { product_id: 'mortgage', name_zh: '个人住房贷款', name_en: 'Residential mortgage', segment: 'retail' },
  { product_id: 'car', name_zh: '个人汽车贷款', name_en: 'Car loan', segment: 'retail' },
  { product_id: 'consumer_instalment', name_zh: '个人消费分期', name_en: 'Consumer instalment', segment: 'retail' },
  { product_id: 'business', name_zh: '小微经营贷款', name_en: 'Small-business loan', segment: 'small_business' },
  { product_id: 'working_capital', name_zh: '流动资金贷款', name_en: 'Working-capital loan', segment: 'small_business' },
];
