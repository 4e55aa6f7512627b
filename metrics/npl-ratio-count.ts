import { defineMetric } from '../transforms/kpi/metric.js';

/** 不良贷款率（笔数）: the NPL ratio by number of loans. */
export default defineMetric({
  id: 'npl_ratio_count',
  nameZh: '不良贷款率（笔数）',
  nameEn: 'Non-performing loan ratio (count)',
  description: 'Number of on-book loans classified substandard, doubtful or loss, as a share of the number of all on-book loans at the month end.',
  descriptionZh:
    '月末表内贷款中，五级分类为次级类、可疑类和损失类的贷款笔数占贷款总笔数的比例。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '不良贷款笔数 ÷ 贷款总笔数',
    textEn: 'Number of non-performing loans ÷ number of loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_loans)', text: 'On-book loans classified substandard, doubtful or loss', textZh: '不良贷款笔数（次级类、可疑类、损失类）' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(loans)', text: 'All on-book loans', textZh: '表内贷款总笔数' },
  },
  target: { kind: 'fixed', value: 0.02, op: '<=' },
  tolerance: 0.005,
  policySource: '内部风险偏好（与余额口径不良贷款率一致）',
  sortOrder: 11,
  page: 'npl',
  charts: ['npl_trend'],
  inputs: ['loan_balances'],
});
