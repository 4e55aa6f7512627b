import { defineMetric } from '../transforms/kpi/metric.js';

/** 客户分类误差率: recorded customer grade vs the rule grade. */
export default defineMetric({
  id: 'classification_error_rate',
  nameZh: '客户分类误差率',
  nameEn: 'Customer grading error rate',
  description:
    'Customers active at the month end with a recorded grade whose recorded grade differs from the rule grade (docs/grading.md) ÷ customers active at the month end with a recorded grade.',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '记录等级与规则等级不一致的已分级客户数 ÷ 已分级客户数',
    numerator: { from: 'marts.mart_customer__monthly', measure: 'sum(misgraded_customers)', text: 'Active graded customers whose recorded grade ≠ rule grade' },
    denominator: { from: 'marts.mart_customer__monthly', measure: 'sum(graded_customers)', text: 'Active customers with a recorded grade' },
  },
  target: { kind: 'fixed', value: 0.05, op: '<' },
  tolerance: 0.02,
  policySource: '内部客户分级管理办法（规则见 docs/grading.md）',
  sortOrder: 32,
  page: 'customers',
  charts: ['customer_trend'],
  // The rule grade reads the loans' class and days past due and the risk scores (PD).
  inputs: ['customers.grade', 'loan_balances', 'risk_scores'],
});
