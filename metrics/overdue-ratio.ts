import { defineMetric } from '../transforms/kpi/metric.js';

/** 逾期率: share of the book in loans with any overdue. */
export default defineMetric({
  id: 'overdue_ratio',
  nameZh: '逾期率',
  nameEn: 'Overdue loan ratio',
  description:
    'Overdue balance ÷ total balance. The overdue balance is the whole outstanding principal of on-book loans with any amount past due, not only the instalments past due.',
  descriptionZh:
    '月末逾期贷款余额占各项贷款余额的比例。逾期贷款余额指有任何一期本金或利息逾期（逾期天数大于 0）的贷款的全部本金余额，而不仅是已逾期部分。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '逾期贷款余额（逾期天数 > 0 的贷款本金余额） ÷ 各项贷款余额',
    textEn: 'Overdue loans (whole principal of loans more than 0 days past due) ÷ total loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(overdue_balance)', text: 'Outstanding principal of on-book loans more than 0 days past due', textZh: '逾期天数大于 0 的贷款本金余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans', textZh: '各项贷款余额' },
  },
  target: { kind: 'fixed', value: 0.03, op: '<=' },
  tolerance: 0.01,
  // An example threshold: change the target above to the lender's own risk appetite.
  policySource: '内部风险偏好（示例阈值）',
  sortOrder: 20,
  page: 'npl',
  charts: ['branch_overview'],
  inputs: ['loan_balances'],
});
