import { defineMetric } from '../transforms/kpi/metric.js';

/** Regulatory floor of the provision coverage ratio (change here; default 150%). */
export const PROVISION_COVERAGE_FLOOR = 1.5;

/** 拨备覆盖率. */
export default defineMetric({
  id: 'provision_coverage',
  nameZh: '拨备覆盖率',
  nameEn: 'Provision coverage ratio',
  description: 'Loan-loss provisions held against on-book loans ÷ NPL balance (on-book loans classified substandard, doubtful or loss). A slice with a very small NPL balance is shown capped ("> 1,000%").',
  descriptionZh:
    '贷款损失准备余额与不良贷款余额（次级类、可疑类、损失类贷款余额）之比。不良余额很小的维度比率极高，显示为封顶值（“> 1,000%”）。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '贷款损失准备 ÷ 不良贷款余额',
    textEn: 'Loan-loss provisions ÷ NPL balance',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(provision_amount)', text: 'Loan-loss provisions held against on-book loans', textZh: '贷款损失准备余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(npl_balance)', text: 'Outstanding principal of on-book loans classified substandard, doubtful or loss', textZh: '不良贷款余额（次级类、可疑类、损失类贷款余额）' },
  },
  target: { kind: 'fixed', value: PROVISION_COVERAGE_FLOOR, op: '>=' },
  tolerance: 0.2,
  policySource: '《商业银行贷款损失准备管理办法》（拨备覆盖率 120%–150%，银保监发〔2018〕7号动态调整）',
  sortOrder: 60,
  page: 'npl',
  charts: ['branch_overview'],
  inputs: ['loan_balances', 'loan_balances.provision_amount'],
  // A slice with a tiny NPL balance has a coverage of thousands of percent: shown "> 1,000%" (capped).
  displayCap: 10,
});
