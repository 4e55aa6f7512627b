import { defineMetric } from '../transforms/kpi/metric.js';

/** 授信档案时效达标率: customers whose every required credit-file element is current. */
export default defineMetric({
  id: 'credit_file_current_share',
  nameZh: '授信档案时效达标率',
  nameEn: 'Credit files up to date',
  description:
    "Customers active at the month end with an on-book loan whose every required credit-file element (financial statements, credit report, collateral valuation, site visit, KYC documents, as the lender's update-cycle policy requires of the customer type) is current at the month end ÷ customers active at the month end with an on-book loan. An element updated on a date is current until the same day one cycle (3, 6 or 12 months) later — the last day of that month when it is shorter — and overdue from the next day; an element never delivered is not current. Only updates delivered by the month end count.",
  descriptionZh:
    '月末有在账贷款的存续客户中，按贷后管理政策对该类客户要求的每一项授信档案要素（财务报表、征信报告、押品估值、实地走访、身份及资质证明）均在更新周期内的客户数占比。要素自更新日起在一个周期（3、6 或 12 个月）后的同一日（该月无此日则为月末）前有效，次日起逾期；从未提供的要素视为未达标。仅计入截至月末已报送的更新。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type'],
  formula: {
    kind: 'ratio',
    text: '所有必备档案要素均在更新周期内的客户数 ÷ 月末有在账贷款的存续客户数',
    textEn: 'Customers whose every required credit-file element is current ÷ customers active at the month end with an on-book loan',
    numerator: {
      from: 'marts.mart_customer__credit_file_monthly',
      measure: 'sum(customers_current)',
      text: 'Customers whose every required credit-file element is current at the month end',
      textZh: '所有必备档案要素均在更新周期内的客户数',
    },
    denominator: {
      from: 'marts.mart_customer__credit_file_monthly',
      measure: 'sum(customers)',
      text: 'Customers active at the month end with an on-book loan',
      textZh: '月末有在账贷款的存续客户数',
    },
  },
  // Not a regulatory ratio: the lender's post-loan management convention (a file kept to its cycle
  // for 19 customers in 20); a lender sets its own in policy/kpi-targets.yaml.
  target: { kind: 'fixed', value: 0.95, op: '>=' },
  tolerance: 0.05,
  policySource: '内部贷后管理办法（授信档案按周期更新；示例目标，非监管指标）',
  sortOrder: 80,
  page: 'credit-files',
  charts: ['credit_file_trend'],
  // The updates extract is optional: a lender that never delivered it has no value (not 0 %).
  inputs: ['credit_file_updates', 'loan_balances'],
  valueRange: { min: 0, max: 1 },
});
