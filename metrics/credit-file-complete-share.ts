import { defineMetric } from '../transforms/kpi/metric.js';

/** 授信档案完整率: customers having every required credit-file element at least once. */
export default defineMetric({
  id: 'credit_file_complete_share',
  nameZh: '授信档案完整率',
  nameEn: 'Credit files complete',
  description:
    "Customers active at the month end with an on-book loan of whom every required credit-file element (as the lender's update-cycle policy requires of the customer type) was delivered at least once by the month end, current or not ÷ customers active at the month end with an on-book loan.",
  descriptionZh:
    '月末有在账贷款的存续客户中，按贷后管理政策对该类客户要求的每一项授信档案要素截至月末均至少提供过一次（无论是否在更新周期内）的客户数占比。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type'],
  formula: {
    kind: 'ratio',
    text: '所有必备档案要素均至少提供过一次的客户数 ÷ 月末有在账贷款的存续客户数',
    textEn: 'Customers having every required credit-file element at least once ÷ customers active at the month end with an on-book loan',
    numerator: {
      from: 'marts.mart_customer__credit_file_monthly',
      measure: 'sum(customers_complete)',
      text: 'Customers of whom every required credit-file element was delivered at least once',
      textZh: '所有必备档案要素均至少提供过一次的客户数',
    },
    denominator: {
      from: 'marts.mart_customer__credit_file_monthly',
      measure: 'sum(customers)',
      text: 'Customers active at the month end with an on-book loan',
      textZh: '月末有在账贷款的存续客户数',
    },
  },
  // The lender's convention: a credit file lacks no required element (1 customer in 50 at most
  // while documents are being collected); a lender sets its own in policy/kpi-targets.yaml.
  target: { kind: 'fixed', value: 0.98, op: '>=' },
  tolerance: 0.02,
  policySource: '内部贷后管理办法（授信档案要素齐全；示例目标，非监管指标）',
  sortOrder: 81,
  page: 'credit-files',
  charts: ['credit_file_trend'],
  inputs: ['credit_file_updates', 'loan_balances'],
  valueRange: { min: 0, max: 1 },
});
