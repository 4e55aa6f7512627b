import { defineMetric } from '../transforms/kpi/metric.js';

/** 核验时长中位数 (companion of verification_within_24h). */
export default defineMetric({
  id: 'verification_hours_median',
  nameZh: '核验时长（中位数）',
  nameEn: 'Verification time (median hours)',
  description:
    'Median hours from submission to completion of checks submitted in the month and completed by the month end. Shown alongside the share of checks completed within 24 hours; no target of its own. The sample size is the number of completed checks.',
  descriptionZh:
    '本月提交且在月末前完成的信息核验，自提交至完成所用小时数的中位数。作为“核验24小时完成率”的配套指标展示，不单独设目标；样本量为已完成核验数。',
  unit: 'hours',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'aggregate',
    text: 'median(完成时间 − 提交时间)（小时）',
    textEn: 'median(completion time − submission time), in hours',
    from: 'SELECT * FROM marts.mart_ops__verification_submissions WHERE is_completed',
    value: 'median(hours_to_verify)',
    n: 'count(hours_to_verify)',
    valueText: 'Median hours from submission to completion',
    valueTextZh: '提交至完成小时数的中位数',
    nText: 'Checks submitted in the month and completed by the month end',
    nTextZh: '本月提交且月末前完成的核验数',
  },
  target: { kind: 'none', text: '无（配套指标）', textEn: 'None (companion indicator)' },
  tolerance: 0,
  policySource: '内部服务标准（配套展示）',
  sortOrder: 72,
  page: 'customers',
  inputs: ['verifications'],
  // A median over fewer than 10 completed checks is too_few.
  minObservations: { count: 10, measure: 'count(hours_to_verify)', textZh: '已完成核验', textEn: 'completed checks' },
});
