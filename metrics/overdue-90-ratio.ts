import { defineMetric } from '../transforms/kpi/metric.js';

/** 逾期90天以上贷款占比. */
export default defineMetric({
  id: 'overdue_90_ratio',
  nameZh: '逾期90天以上贷款占比',
  nameEn: 'Loans 90+ days past due ratio',
  description: 'Outstanding principal of on-book loans more than 90 days past due ÷ total on-book outstanding principal.',
  descriptionZh:
    '月末逾期 90 天以上的表内贷款本金余额占各项贷款余额的比例。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '逾期90天以上贷款余额 ÷ 各项贷款余额',
    textEn: 'Loans more than 90 days past due ÷ total loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(dpd90_balance)', text: 'Outstanding principal of on-book loans more than 90 days past due', textZh: '逾期 90 天以上贷款余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans', textZh: '各项贷款余额' },
  },
  target: { kind: 'fixed', value: 0.02, op: '<=' },
  tolerance: 0.005,
  policySource: '内部风险偏好（与不良贷款率目标一致）',
  sortOrder: 21,
  page: 'npl',
  charts: ['branch_overview', 'npl_trend'],
  inputs: ['loan_balances'],
});
