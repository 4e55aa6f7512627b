import { defineMetric } from '../transforms/kpi/metric.js';

/** 信息核验24小时完成率. */
export default defineMetric({
  id: 'verification_within_24h',
  nameZh: '核验24小时完成率',
  nameEn: 'Verifications completed within 24 hours',
  description:
    'Checks submitted in the month and completed within 24 hours of submission (as known at the month end; still pending = not within) ÷ checks submitted in the month.',
  descriptionZh:
    '本月提交的信息核验中，提交后 24 小时内完成的核验数占本月提交核验数的比例（截至月末；仍未完成的计为未在 24 小时内完成）。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '提交后 24 小时内完成的核验数 ÷ 本月提交的核验数',
    textEn: 'Checks completed within 24 hours ÷ checks submitted in the month',
    numerator: { from: 'marts.mart_ops__verification_submissions', measure: 'count(*) FILTER (WHERE within_sla)', text: 'Checks submitted in the month completed within 24 hours', textZh: '提交后 24 小时内完成的本月核验数' },
    denominator: { from: 'marts.mart_ops__verification_submissions', measure: 'count(*)', text: 'Checks submitted in the month', textZh: '本月提交的核验数' },
  },
  target: { kind: 'fixed', value: 1, op: '>=' },
  tolerance: 0.02,
  policySource: '内部服务标准（核验 24 小时内完成）',
  sortOrder: 71,
  page: 'customers',
  charts: ['verification_trend'],
  inputs: ['verifications'],
  // A rate over fewer than 10 submitted checks is too_few.
  minObservations: { count: 10, measure: 'count(*)', textZh: '提交核验', textEn: 'submitted checks' },
  valueRange: { min: 0, max: 1 },
});
