import { defineMetric } from '../transforms/kpi/metric.js';

/** 核验时长中位数 (companion of verification_within_24h). */
export default defineMetric({
  id: 'verification_hours_median',
  nameZh: '核验时长（中位数）',
  nameEn: 'Verification time (median hours)',
  description:
    'Median hours from submission to completion of checks submitted in the month and completed by the month end. Companion of verification_within_24h; no target of its own. Numerator is empty; the denominator is the number of completed checks.',
  unit: 'hours',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'aggregate',
    text: 'median(完成时间 − 提交时间)（小时）',
    from: 'SELECT * FROM marts.mart_ops__verification_submissions WHERE is_completed',
    value: 'median(hours_to_verify)',
    n: 'count(hours_to_verify)',
    valueText: 'Median hours from submitted_at to verified_at',
    nText: 'Checks submitted in the month and completed by the month end',
  },
  target: { kind: 'none', text: '无（配套指标）' },
  tolerance: 0,
  policySource: '内部服务标准（配套展示）',
  sortOrder: 72,
  page: 'customers',
  inputs: ['verifications'],
  // A median over fewer than 10 completed checks is too_few.
  minObservations: { count: 10, measure: 'count(hours_to_verify)', textZh: '已完成核验', textEn: 'completed checks' },
});
