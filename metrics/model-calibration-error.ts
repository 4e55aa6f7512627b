import { defineMetric, type CustomContext } from '../transforms/kpi/metric.js';

/**
 * Expected calibration error over the PD deciles of the month's main model version:
 * Σ_d |Σ PD − defaults|_d ÷ Σ_d scores_d = Σ_d n_d × |mean PD_d − observed rate_d| ÷ Σ_d n_d
 * (the decile gaps are exact DECIMALs in the calibration mart).
 */
function eceSql(ctx: CustomContext): string {
  return `
    SELECT ${ctx.groupCols},
      CAST(sum(calibration_gap) AS DOUBLE PRECISION) AS numerator,
      CAST(sum(scores) AS DOUBLE PRECISION) AS denominator,
      CASE WHEN sum(scores) > 0 THEN CAST(sum(calibration_gap) AS DOUBLE PRECISION) / CAST(sum(scores) AS DOUBLE PRECISION) END AS value
    FROM ${ctx.sliced} GROUP BY ${ctx.groupCols}`;
}

/** 模型校准误差. */
export default defineMetric({
  id: 'model_calibration_error',
  nameZh: '风险模型校准误差',
  nameEn: 'Risk-model calibration error',
  description:
    'Expected calibration error of the probability of default (PD): the scores made 12 months before the month end (the same scores as the prediction accuracy) cut into 10 equal groups by PD (deciles), then the gap between the mean predicted PD and the observed 12-month default rate of each decile, weighted by its scores: Σ scores × |mean PD − observed rate| ÷ Σ scores. 0 is perfect calibration; a model that ranks well (AUC) can still over- or under-state the level of risk. When several model versions were scored that month the whole-bank value is that of the version with the most scores; the model review page shows every decile. Whole bank only: the deciles are the bank\'s.',
  descriptionZh:
    '违约概率（PD）的期望校准误差：将 12 个月前的评分（与预测准确率为同一评分样本）按 PD 等分为 10 组（十分位），各组平均预测 PD 与其后 12 个月实际违约率之差的绝对值按评分数加权平均：Σ 评分数 × |平均 PD − 实际违约率| ÷ Σ 评分数。0 为完全校准；区分能力（AUC）良好的模型仍可能高估或低估风险水平。同月有多个模型版本时，全行数值取评分数最多的版本；各十分位见模型月度复盘页。仅计全行：十分位为全行口径。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: [],
  formula: {
    kind: 'custom',
    text: 'Σ 各十分位评分数 × |平均预测 PD − 实际违约率| ÷ 评分数',
    textEn: 'Σ over PD deciles of scores × |mean predicted PD − observed default rate| ÷ scores',
    from: 'SELECT as_of_month, model_version, decile, scores, defaults, calibration_gap FROM marts.mart_model__calibration_deciles WHERE is_main_version',
    sql: eceSql,
    numeratorText: 'Σ over deciles of |sum of predicted PDs − defaults|',
    numeratorTextZh: '各十分位 |预测 PD 之和 − 违约数| 之和',
    denominatorText: 'Evaluable scores (of the main model version)',
    denominatorTextZh: '可评估评分数（主模型版本）',
  },
  // No regulation sets a number: 2 percentage points of average gap is an internal convention for a
  // retail PD model (the gap of a calibrated model from sampling alone stays around 1 point with a
  // few thousand scores); amber up to 4 points, red beyond.
  target: { kind: 'fixed', value: 0.02, op: '<=' },
  tolerance: 0.02,
  policySource: '内部模型风险管理办法（业界惯例，无监管数值：期望校准误差 ≤ 2 个百分点）',
  sortOrder: 84,
  display: { format: 'percent', decimals: 2 },
  page: 'model',
  charts: ['model_calibration'],
  inputs: ['risk_scores', 'loan_balances'],
  needsPriorMonth: (rules) => rules.modelValidation.horizonMonths,
  // With a handful of scores per decile the gap is noise: at least 300 evaluable scores (30 per decile)
  // and 10 defaults, else too_few.
  minObservations: [
    { count: 300, measure: 'sum(scores)', textZh: '可评估评分', textEn: 'evaluable scores' },
    { count: 10, measure: 'sum(defaults)', textZh: '违约客户评分', textEn: 'scores of defaulters' },
  ],
  valueRange: { min: 0, max: 1 },
});
