import { defineMetric } from '../transforms/kpi/metric.js';

/** 风险模型预测准确率. */
export default defineMetric({
  id: 'model_accuracy',
  nameZh: '风险模型预测准确率',
  nameEn: 'Risk-model prediction accuracy',
  description:
    'Risk scores made 12 months before the month end (customers not already in default) whose default prediction matched the realised outcome (default = a loan recorded 次级 or worse, > 90 days past due or written off at a month end within the 12 months) ÷ those scores.',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '预测结果与 12 个月实际违约情况一致的评分数 ÷ 可评估评分数',
    numerator: { from: 'marts.mart_risk__score_outcomes', measure: 'sum(correct_predictions)', text: 'Evaluable scores whose predicted_default equals the realised 12-month default' },
    denominator: { from: 'marts.mart_risk__score_outcomes', measure: 'sum(scores)', text: 'Scores made 12 months earlier on customers not in default then' },
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
