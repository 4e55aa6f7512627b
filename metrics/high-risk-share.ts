import { defineMetric } from '../transforms/kpi/metric.js';

/** 高风险客户占比. */
export default defineMetric({
  id: 'high_risk_share',
  nameZh: '高风险客户占比',
  nameEn: 'High-risk customer share',
  description: 'Customers active at the month end whose recorded grade is C (high risk) ÷ customers active at the month end (ungraded customers count in the denominator).',
  descriptionZh:
    '月末活跃客户中记录等级为 C（高风险）的客户数占活跃客户数的比例（未分级客户计入分母）。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type'],
  formula: {
    kind: 'ratio',
    text: '记录等级为 C 的活跃客户数 ÷ 活跃客户数',
    textEn: 'Active customers graded C ÷ active customers',
    numerator: { from: 'marts.mart_customer__monthly', measure: 'sum(recorded_c_customers)', text: 'Active customers graded C (high risk)', textZh: '记录等级为 C（高风险）的活跃客户数' },
    denominator: { from: 'marts.mart_customer__monthly', measure: 'sum(customers_active_end)', text: 'Customers whose relationship is open at the month end', textZh: '月末业务关系存续的活跃客户数' },
  },
  target: { kind: 'fixed', value: 0.1, op: '<=' },
  tolerance: 0.02,
  policySource: '内部风险偏好',
  sortOrder: 40,
  page: 'customers',
  charts: ['customer_trend'],
  inputs: ['customers.grade'],
});
