import { defineMetric } from '../transforms/kpi/metric.js';

/** 不良贷款率: the headline credit-quality KPI. */
export default defineMetric({
  id: 'npl_ratio',
  nameZh: '不良贷款率',
  nameEn: 'Non-performing loan ratio (balance)',
  description:
    'Outstanding principal of on-book loans classified substandard, doubtful or loss (non-performing) as a share of all on-book outstanding principal, at the month end.',
  descriptionZh:
    '月末表内贷款中，五级分类为次级类、可疑类和损失类（不良贷款）的贷款本金余额占各项贷款余额的比例。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '（次级类 + 可疑类 + 损失类贷款余额）÷ 各项贷款余额',
    textEn: '(Substandard + doubtful + loss loans) ÷ total loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'Outstanding principal of on-book loans classified substandard, doubtful or loss', textZh: '次级类、可疑类、损失类贷款余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans', textZh: '各项贷款余额' },
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
