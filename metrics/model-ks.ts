import { defineMetric, type CustomContext } from '../transforms/kpi/metric.js';

/** KS = max over PD thresholds of |cumulative share of defaulters − cumulative share of non-defaulters|. */
function ksSql(ctx: CustomContext): string {
  return `
    WITH h AS (
      SELECT ${ctx.groupCols}, pd_bin, sum(defaults) AS pos, sum(scores - defaults) AS neg
      FROM ${ctx.sliced} GROUP BY ${ctx.groupCols}, pd_bin
    ),
    c AS (
      SELECT *,
        sum(pos) OVER (PARTITION BY ${ctx.groupCols} ORDER BY pd_bin ROWS UNBOUNDED PRECEDING) AS cum_pos,
        sum(neg) OVER (PARTITION BY ${ctx.groupCols} ORDER BY pd_bin ROWS UNBOUNDED PRECEDING) AS cum_neg,
        sum(pos) OVER (PARTITION BY ${ctx.groupCols}) AS tot_pos,
        sum(neg) OVER (PARTITION BY ${ctx.groupCols}) AS tot_neg
      FROM h
    )
    SELECT ${ctx.groupCols},
      CAST(NULL AS DOUBLE PRECISION) AS numerator,
      CAST(max(tot_pos + tot_neg) AS DOUBLE PRECISION) AS denominator,
      CASE WHEN max(tot_pos) > 0 AND max(tot_neg) > 0
        THEN max(abs(CAST(cum_pos AS DOUBLE PRECISION) / CAST(tot_pos AS DOUBLE PRECISION) - CAST(cum_neg AS DOUBLE PRECISION) / CAST(tot_neg AS DOUBLE PRECISION))) END AS value
    FROM c GROUP BY ${ctx.groupCols}`;
}

/** 模型区分能力 KS. */
export default defineMetric({
  id: 'model_ks',
  nameZh: '风险模型区分能力（KS）',
  nameEn: 'Risk-model KS statistic',
  description:
    'Kolmogorov–Smirnov statistic: the largest gap between the cumulative shares of defaulters and non-defaulters when the scores made 12 months before the month end are ordered by PD (the same scores as the prediction accuracy), per month and slice from PD bins. It has no numerator; the denominator is the number of scores.',
  descriptionZh:
    '将 12 个月前的评分按违约概率（PD）由低到高排序，违约客户累计占比与未违约客户累计占比之差的最大值（KS 统计量；与预测准确率为同一评分样本），按 PD 分箱逐月、逐维度计算。无分子，分母为评分数。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'custom',
    text: 'max |累计违约占比 − 累计未违约占比|（按 PD 从低到高）',
    textEn: 'max |cumulative share of defaulters − cumulative share of non-defaulters| (PD ascending)',
    from: 'marts.mart_risk__score_outcomes',
    sql: ksSql,
    numeratorText: 'None (the KS statistic is a largest gap, not a ratio)',
    numeratorTextZh: '无（KS 为最大差值，不是比率）',
    denominatorText: 'Evaluable scores',
    denominatorTextZh: '可评估评分数',
  },
  target: { kind: 'fixed', value: 0.3, op: '>=' },
  tolerance: 0.05,
  policySource: '内部模型风险管理办法（行业惯例：KS ≥ 0.30）',
  sortOrder: 82,
  // KS is read as a plain number (0.75), not a percentage.
  display: { format: 'number', decimals: 3 },
  page: 'model',
  charts: ['model_discrimination'],
  inputs: ['risk_scores', 'loan_balances'],
  needsPriorMonth: (rules) => rules.modelValidation.horizonMonths,
  // A ranking needs enough outcomes of each kind: with a handful of scores an AUC / KS of 1.000 says
  // nothing. Below any of these the row is too_few (shown "样本不足 Too few" with n, no colour).
  minObservations: [
    { count: 30, measure: 'sum(scores)', textZh: '可评估评分', textEn: 'evaluable scores' },
    { count: 5, measure: 'sum(defaults)', textZh: '违约客户评分', textEn: 'scores of defaulters' },
    { count: 5, measure: 'sum(scores) - sum(defaults)', textZh: '未违约客户评分', textEn: 'scores of non-defaulters' },
  ],
  valueRange: { min: 0, max: 1 },
});
