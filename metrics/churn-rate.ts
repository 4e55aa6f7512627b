import { defineMetric } from '../transforms/kpi/metric.js';

/** 客户流失率: monthly churn with a prior-year-relative target. */
export default defineMetric({
  id: 'churn_rate',
  nameZh: '客户流失率',
  nameEn: 'Customer churn rate',
  description:
    'Customers active at the start of the month whose relationship ended in the month ÷ customers active at the start of the month. The target varies by month and slice: the same month a year earlier minus 3 percentage points (not below 0); there is no target while no value a year earlier exists.',
  descriptionZh:
    '月初活跃客户中本月终止业务关系的客户数占月初活跃客户数的比例。目标按月份和维度分别确定：上年同月值减 3 个百分点（不低于 0）；无上年同月数据时不设目标。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '本月关系终止的月初活跃客户数 ÷ 月初活跃客户数',
    textEn: 'Customers active at the start of the month who left in the month ÷ customers active at the start of the month',
    numerator: { from: 'marts.mart_customer__monthly', measure: 'sum(churned_customers)', text: 'Customers active at the start of the month whose relationship ended in the month', textZh: '本月终止业务关系的月初活跃客户数' },
    denominator: { from: 'marts.mart_customer__monthly', measure: 'sum(customers_active_start)', text: 'Customers active at the start of the month', textZh: '月初活跃客户数' },
  },
  // 3 points below the same month a year earlier (points = absolute: −0.03 on a ratio).
  // Switch deltaMode to 'relative' (e.g. delta −0.03 = 3% lower) if the business means a relative cut.
  target: { kind: 'prior_year', delta: -0.03, deltaMode: 'points' },
  tolerance: 0.005,
  policySource: '年度经营目标（较上年同期下降 3 个百分点）',
  sortOrder: 41,
  page: 'customers',
  charts: ['branch_overview', 'customer_trend'],
  // Customers active at the start of the month = the book at the previous month end: unknown in the first month loaded;
  // "active" reads the onboarding date (a mapping placeholder is not one).
  inputs: ['customers.onboarded_on'],
  needsPriorMonth: 1,
  // A share: its derived target (prior year − 3 points) is clamped to 0 %–100 % and says so.
  valueRange: { min: 0, max: 1 },
});
