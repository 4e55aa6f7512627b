import { defineMetric } from '../transforms/kpi/metric.js';

/** 五级分类偏离度: 90+ dpd balance relative to NPL balance. */
export default defineMetric({
  id: 'loan_classification_deviation',
  nameZh: '五级分类偏离度',
  nameEn: 'Classification deviation (90+ dpd ÷ NPL)',
  description:
    'Outstanding principal of loans more than 90 days past due ÷ NPL balance. Above 100% means some loans 90+ days past due are not recorded as non-performing (classification is too lenient).',
  descriptionZh:
    '逾期 90 天以上贷款余额与不良贷款余额之比。高于 100% 说明部分逾期 90 天以上的贷款未划入不良，五级分类偏松（《商业银行金融资产风险分类办法》规定逾期超过 90 天的至少归为次级类）。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '逾期90天以上贷款余额 ÷ 不良贷款余额',
    textEn: 'Loans more than 90 days past due ÷ NPL balance',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(dpd90_balance)', text: 'Outstanding principal of on-book loans more than 90 days past due', textZh: '逾期 90 天以上贷款余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'Outstanding principal of on-book loans classified substandard, doubtful or loss', textZh: '不良贷款余额（次级类、可疑类、损失类贷款余额）' },
  },
  target: { kind: 'fixed', value: 1, op: '<=' },
  tolerance: 0.1,
  policySource: '监管要求逾期90天以上贷款全部纳入不良（偏离度 ≤ 100%）；《商业银行金融资产风险分类办法》2023年第1号令 第十一条',
  sortOrder: 30,
  page: 'npl',
  inputs: ['loan_balances'],
});
