import { defineMetric } from '../transforms/kpi/metric.js';

/** 不良贷款率（笔数）: the NPL ratio by number of loans. */
export default defineMetric({
  id: 'npl_ratio_count',
  nameZh: '不良贷款率（笔数）',
  nameEn: 'Non-performing loan ratio (count)',
  description: 'Number of on-book loans recorded 次级, 可疑 or 损失 as a share of all on-book loans at the month end.',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '不良贷款笔数 ÷ 贷款总笔数',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_loans)', text: 'On-book loans recorded 次级/可疑/损失' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(loans)', text: 'All on-book loans' },
  },
  target: { kind: 'fixed', value: 0.02, op: '<=' },
  tolerance: 0.005,
  policySource: '内部风险偏好（与余额口径不良贷款率一致）',
  sortOrder: 11,
  page: 'npl',
  charts: ['npl_trend'],
  inputs: ['loan_balances'],
});
