import { defineMetric } from '../transforms/kpi/metric.js';

/** 不良贷款率: the headline credit-quality KPI. */
export default defineMetric({
  id: 'npl_ratio',
  nameZh: '不良贷款率',
  nameEn: 'Non-performing loan ratio (balance)',
  description:
    'Outstanding principal of on-book loans the lender recorded as 次级, 可疑 or 损失 (non-performing), as a share of all on-book outstanding principal, at the month end.',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '(次级 + 可疑 + 损失 贷款余额) ÷ 各项贷款余额',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'Outstanding principal of on-book loans recorded 次级/可疑/损失' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans' },
  },
  target: { kind: 'fixed', value: 0.02, op: '<=' },
  tolerance: 0.005,
  policySource:
    '内部风险偏好 ≤ 2%（监管上限 5%：《商业银行风险监管核心指标（试行）》银监发〔2005〕89号；分类口径：《商业银行金融资产风险分类办法》2023年第1号令）',
  sortOrder: 10,
  page: 'npl',
  charts: ['branch_overview', 'npl_trend'],
  inputs: ['loan_balances'],
});
