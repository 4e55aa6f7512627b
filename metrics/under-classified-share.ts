import { defineMetric } from '../transforms/kpi/metric.js';

/** 分类低于监管下限的贷款占比. */
export default defineMetric({
  id: 'under_classified_share',
  nameZh: '分类低于监管下限的贷款占比',
  nameEn: 'Under-classified balance share',
  description:
    'Outstanding principal of on-book loans whose recorded five-category class is milder than the floor the regulatory classification rules set for them (for example by days past due) ÷ total on-book outstanding principal.',
  descriptionZh:
    '五级分类结果轻于监管下限（如按逾期天数应至少划入的类别）的表内贷款本金余额占各项贷款余额的比例。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '记录分类轻于监管下限的贷款余额 ÷ 各项贷款余额',
    textEn: 'Loans classified milder than the regulatory floor ÷ total loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(under_classified_balance)', text: 'Outstanding principal of on-book loans classified milder than their floor class', textZh: '分类轻于监管下限的贷款余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans', textZh: '各项贷款余额' },
  },
  target: { kind: 'fixed', value: 0, op: '<=' },
  tolerance: 0.001,
  policySource: '《商业银行金融资产风险分类办法》2023年第1号令（逾期天数、重组观察期的分类下限）',
  sortOrder: 31,
  page: 'npl',
  // The floor needs days past due and the restructuring flag (observation period).
  inputs: ['loan_balances', 'loans.restructured'],
});
