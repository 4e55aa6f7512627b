import { defineMetric } from '../transforms/kpi/metric.js';

/** 客户满意度 (mean survey score) with a prior-year-relative target. */
export default defineMetric({
  id: 'satisfaction_index',
  nameZh: '客户满意度',
  nameEn: 'Customer satisfaction index',
  description:
    'Mean score (0–100) of satisfaction survey responses in the month (sum of scores ÷ responses, so slices re-aggregate exactly). The target is the same month a year earlier + 5 points (not above 100).',
  descriptionZh:
    '本月满意度问卷有效得分（0–100 分）的平均值（得分合计 ÷ 有效问卷数）。目标为上年同月值加 5 分（不高于 100 分）。',
  unit: 'score',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '本月满意度得分合计 ÷ 本月有效问卷数',
    textEn: 'Sum of survey scores in the month ÷ valid responses in the month',
    numerator: { from: 'marts.mart_customer__satisfaction_monthly', measure: 'sum(score_sum)', text: 'Sum of survey scores in the month', textZh: '本月满意度得分合计' },
    denominator: { from: 'marts.mart_customer__satisfaction_monthly', measure: 'sum(responses)', text: 'Survey responses in the month', textZh: '本月有效问卷数' },
  },
  target: { kind: 'prior_year', delta: 5, deltaMode: 'points' },
  tolerance: 2,
  policySource: '年度服务质量目标（12 个月内提升 5 分）',
  sortOrder: 90,
  page: 'customers',
  inputs: ['surveys'],
  // A 0–100 score: the derived target (prior year + 5) never exceeds 100. A mean of fewer than 20
  // responses is too_few (shown "样本不足 Too few" with n, no colour).
  valueRange: { min: 0, max: 100 },
  minObservations: { count: 20, measure: 'sum(responses)', textZh: '有效问卷', textEn: 'survey responses' },
});
