import { defineMetric } from '../transforms/kpi/metric.js';

/** 逾期率: share of the book in loans with any overdue. */
export default defineMetric({
  id: 'overdue_ratio',
  nameZh: '逾期率',
  nameEn: 'Overdue loan ratio',
  description:
    'Overdue balance ÷ total balance. Overdue balance = the whole outstanding principal of on-book loans with days_past_due > 0 (not only the instalments past due; that narrower amount is overdue_principal in marts.mart_credit__portfolio_monthly).',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '逾期贷款余额（逾期天数 > 0 的贷款本金余额） ÷ 各项贷款余额',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(overdue_balance)', text: 'Outstanding principal of on-book loans with days_past_due > 0' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans' },
  },
  target: { kind: 'fixed', value: 0.03, op: '<=' },
  tolerance: 0.01,
  policySource: '内部风险偏好（示例阈值，可在 metrics/overdue-ratio.ts 调整）',
  sortOrder: 20,
  page: 'npl',
  charts: ['branch_overview'],
  inputs: ['loan_balances'],
});
