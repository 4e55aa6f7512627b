import { defineMetric } from '../transforms/kpi/metric.js';

/** 预警提前期中位数. */
export default defineMetric({
  id: 'warning_lead_time_median',
  nameZh: '预警提前期（中位数）',
  nameEn: 'Early-warning lead time (median)',
  description:
    'Median, over loans that became non-performing in the month and had a warning within the look-back, of the days from the earliest such warning to the NPL date (the month end). The sample size is the number of new NPLs with a warning.',
  descriptionZh:
    '本月新增且在回溯期内有预警的不良贷款，自最早预警日至不良认定日（月末）天数的中位数。样本量为有预警的新增不良贷款笔数。',
  unit: 'days',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id', 'customer_type', 'grade'],
  formula: {
    kind: 'aggregate',
    text: 'median(不良认定日 − 最早预警日)',
    textEn: 'median(NPL date − earliest warning date)',
    // A Kysely builder works as well as SQL text (no bound parameters: it is inlined into the KPI SQL).
    from: (db) => db.selectFrom('marts.mart_risk__new_npls').selectAll().where('lead_days', 'is not', null),
    value: 'median(lead_days)',
    n: 'count(lead_days)',
    valueText: 'Median days from the earliest warning to the NPL date',
    valueTextZh: '最早预警日至不良认定日天数的中位数',
    nText: 'New NPLs with a prior warning',
    nTextZh: '有预警的新增不良贷款笔数',
  },
  // The lead the coverage KPI asks for (policy/kpi-rules.yaml, default 30 days): an overridden rule moves the target.
  target: { kind: 'fixed', value: (rules) => rules.warnings.coverageLeadDays, op: '>=' },
  tolerance: 10,
  policySource: '风险预警管理办法（内部目标，与预警覆盖率的 30 天提前期一致）',
  sortOrder: 52,
  page: 'early-warning',
  inputs: ['loan_balances', 'warnings'],
  // A median over fewer than 5 new NPLs with a warning is too_few.
  minObservations: { count: 5, measure: 'count(lead_days)', textZh: '有预警的新增不良贷款', textEn: 'new NPLs with a prior warning' },
  needsPriorMonth: 1,
});
