import { defineMetric } from '../transforms/kpi/metric.js';

/** 风险模型预测准确率. */
export default defineMetric({
  id: 'model_accuracy',
  nameZh: '风险模型预测准确率',
  nameEn: 'Risk-model prediction accuracy',
  description:
    'Risk scores made 12 months before the month end (customers not already in default) whose default prediction matched the realised outcome ÷ those scores. Default means a loan classified substandard or worse, more than 90 days past due or written off at a month end within the 12 months.',
  descriptionZh:
    '12 个月前对当时未违约客户作出的风险评分中，违约预测与其后 12 个月实际结果一致的评分数占可评估评分数的比例。违约指 12 个月内任一月末有贷款被划为次级类或更差、逾期超过 90 天或已核销。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '预测结果与 12 个月实际违约情况一致的评分数 ÷ 可评估评分数',
    textEn: 'Scores whose prediction matched the 12-month outcome ÷ evaluable scores',
    numerator: { from: 'marts.mart_risk__score_outcomes', measure: 'sum(correct_predictions)', text: 'Evaluable scores whose predicted default matches the realised 12-month default', textZh: '预测结果与 12 个月实际违约情况一致的评分数' },
    denominator: { from: 'marts.mart_risk__score_outcomes', measure: 'sum(scores)', text: 'Scores made 12 months earlier on customers not in default then', textZh: '12 个月前对当时未违约客户作出的评分数' },
  },
  target: { kind: 'fixed', value: 0.85, op: '>=' },
  tolerance: 0.05,
  policySource: '《商业银行资本管理办法》（2023）模型验证要求；内部模型风险管理办法',
  sortOrder: 80,
  page: 'model',
  // Scores made horizonMonths (policy/kpi-rules.yaml) before the month end: that month must be loaded.
  inputs: ['risk_scores', 'loan_balances'],
  needsPriorMonth: (rules) => rules.modelValidation.horizonMonths,
  // An accuracy over a handful of scores is noise: at least 30 evaluable scores, else too_few.
  minObservations: { count: 30, measure: 'sum(scores)', textZh: '可评估评分', textEn: 'evaluable scores' },
  valueRange: { min: 0, max: 1 },
});
