import { defineMetric } from '../transforms/kpi/metric.js';

/** 信息核验准确率. */
export default defineMetric({
  id: 'verification_accuracy',
  nameZh: '信息核验准确率',
  nameEn: 'Verification accuracy',
  description:
    'Verification checks sampled for quality audit and found correct ÷ checks audited; a check counts in the month in which its audit outcome was first reported.',
  descriptionZh:
    '抽样质检的信息核验中，质检结论为正确的核验数占抽检核验数的比例；按质检结论首次报送的月份计入。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '抽检结果为正确的核验数 ÷ 抽检核验数',
    textEn: 'Audited checks found correct ÷ audited checks',
    numerator: { from: 'marts.mart_ops__verification_audits', measure: 'count(*) FILTER (WHERE is_correct)', text: 'Audited checks found correct', textZh: '质检结论为正确的核验数' },
    denominator: { from: 'marts.mart_ops__verification_audits', measure: 'count(*)', text: 'Checks whose audit outcome was first reported in the month', textZh: '本月首次报送质检结论的核验数' },
  },
  target: { kind: 'fixed', value: 0.98, op: '>=' },
  tolerance: 0.01,
  policySource: '《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》（2022）；内部质检标准',
  sortOrder: 70,
  page: 'customers',
  charts: ['verification_trend'],
  inputs: ['verifications'],
  // A quality-audit rate over fewer than 10 audited checks is too_few.
  minObservations: { count: 10, measure: 'count(*)', textZh: '抽检核验', textEn: 'audited checks' },
  valueRange: { min: 0, max: 1 },
});
