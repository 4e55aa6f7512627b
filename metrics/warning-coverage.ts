import { defineMetric } from '../transforms/kpi/metric.js';

/** 预警覆盖率: new NPLs that were warned about in time. */
export default defineMetric({
  id: 'warning_coverage',
  nameZh: '预警覆盖率',
  nameEn: 'Early-warning coverage of new NPLs',
  description:
    'Loans that became non-performing in the month with a warning (loan-specific, or customer-level on the borrower) raised at least 30 days before the NPL date (the month end), within a 365-day look-back ÷ all loans that became non-performing in the month.',
  descriptionZh:
    '本月新增不良贷款中，在不良认定日（月末）前至少 30 天、回溯 365 天内曾发出预警（针对该笔贷款或借款客户）的贷款笔数占新增不良贷款笔数的比例。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '提前 30 天以上有预警的新增不良贷款笔数 ÷ 新增不良贷款笔数',
    textEn: 'New NPLs warned at least 30 days ahead ÷ new NPLs',
    numerator: { from: 'marts.mart_risk__new_npls', measure: 'count(*) FILTER (WHERE had_warning_lead)', text: 'New NPLs with a warning raised at least 30 days before the NPL date', textZh: '不良认定日前至少 30 天有预警的新增不良贷款笔数' },
    denominator: { from: 'marts.mart_risk__new_npls', measure: 'count(*)', text: 'Loans that became non-performing in the month', textZh: '本月新增不良贷款笔数' },
  },
  target: { kind: 'fixed', value: 0.8, op: '>=' },
  tolerance: 0.1,
  policySource: '风险预警管理办法（内部目标）',
  sortOrder: 51,
  page: 'early-warning',
  charts: ['warning_trend'],
  // New NPLs need the previous month end (NPL then?); a delivered warnings file with 0 rows is measured (0 %).
  inputs: ['loan_balances', 'warnings'],
  // A coverage over fewer than 5 new NPLs is too_few.
  minObservations: { count: 5, measure: 'count(*)', textZh: '新增不良贷款', textEn: 'new NPLs' },
  valueRange: { min: 0, max: 1 },
  needsPriorMonth: 1,
});
