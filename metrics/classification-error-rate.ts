import { defineMetric } from '../transforms/kpi/metric.js';

/** 客户分类误差率: recorded customer grade vs the rule grade. */
export default defineMetric({
  id: 'classification_error_rate',
  nameZh: '客户分类误差率',
  nameEn: 'Customer grading error rate',
  description:
    'Customers active at the month end with a recorded grade whose recorded grade differs from the grade the internal grading rules give ÷ customers active at the month end with a recorded grade.',
  descriptionZh:
    '月末有记录等级的活跃客户中，记录等级与按内部客户分级规则测算的等级不一致的客户数占比。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '记录等级与规则等级不一致的已分级客户数 ÷ 已分级客户数',
    textEn: 'Graded customers whose recorded grade differs from the rule grade ÷ graded customers',
    numerator: { from: 'marts.mart_customer__monthly', measure: 'sum(misgraded_customers)', text: 'Active graded customers whose recorded grade differs from the rule grade', textZh: '记录等级与规则等级不一致的已分级活跃客户数' },
    denominator: { from: 'marts.mart_customer__monthly', measure: 'sum(graded_customers)', text: 'Active customers with a recorded grade', textZh: '有记录等级的活跃客户数' },
  },
  target: { kind: 'fixed', value: 0.05, op: '<' },
  tolerance: 0.02,
  // The grading rules are documented in docs/grading.md.
  policySource: '内部客户分级管理办法',
  sortOrder: 32,
  page: 'customers',
  charts: ['customer_trend'],
  // The rule grade reads the loans' class and days past due and the risk scores (PD).
  inputs: ['customers.grade', 'loan_balances', 'risk_scores'],
});
