import { defineMetric } from '../transforms/kpi/metric.js';

/** 贷款拨备率. */
export default defineMetric({
  id: 'loan_provision_ratio',
  nameZh: '贷款拨备率',
  nameEn: 'Loan provision ratio',
  description: 'Loan-loss provisions held against on-book loans ÷ total on-book outstanding principal.',
  descriptionZh:
    '贷款损失准备余额占各项贷款余额的比例。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '贷款损失准备 ÷ 各项贷款余额',
    textEn: 'Loan-loss provisions ÷ total loans',
    numerator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(provision_amount)', text: 'Loan-loss provisions held against on-book loans', textZh: '贷款损失准备余额' },
    denominator: { from: 'marts.mart_credit__portfolio_monthly', measure: 'sum(balance)', text: 'Outstanding principal of all on-book loans', textZh: '各项贷款余额' },
  },
  target: { kind: 'fixed', value: 0.025, op: '>=' },
  tolerance: 0.005,
  policySource: '《商业银行贷款损失准备管理办法》（贷款拨备率基本标准 2.5%，银保监发〔2018〕7号可调整至 1.5%–2.5%）',
  sortOrder: 61,
  page: 'npl',
  inputs: ['loan_balances', 'loan_balances.provision_amount'],
});
