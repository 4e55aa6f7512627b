import { defineMetric, type CustomContext } from '../transforms/kpi/metric.js';

/**
 * AUC from the PD histogram: numerator = Mann–Whitney U (pairs of a defaulter and a
 * non-defaulter where the defaulter has the higher PD, ties counted half), denominator =
 * defaulters × non-defaulters. Exact integer arithmetic, one window per slice.
 */
function aucSql(ctx: CustomContext): string {
  return `
    WITH h AS (
      SELECT ${ctx.groupCols}, pd_bin, sum(defaults) AS pos, sum(scores - defaults) AS neg
      FROM ${ctx.sliced} GROUP BY ${ctx.groupCols}, pd_bin
    ),
    c AS (
      SELECT *, coalesce(sum(neg) OVER (PARTITION BY ${ctx.groupCols} ORDER BY pd_bin ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS neg_below
      FROM h
    )
    SELECT ${ctx.groupCols},
      CAST(sum(pos * (2 * neg_below + neg)) AS DOUBLE PRECISION) / 2 AS numerator,
      CAST(sum(pos) * sum(neg) AS DOUBLE PRECISION) AS denominator,
      CASE WHEN sum(pos) * sum(neg) > 0 THEN (CAST(sum(pos * (2 * neg_below + neg)) AS DOUBLE PRECISION) / 2) / CAST(sum(pos) * sum(neg) AS DOUBLE PRECISION) END AS value
    FROM c GROUP BY ${ctx.groupCols}`;
}

/** 模型区分能力 AUC. */
export default defineMetric({
  id: 'model_auc',
  nameZh: '风险模型区分能力（AUC）',
  nameEn: 'Risk-model AUC',
  description:
    'Area under the ROC curve of the probability of default (PD) of scores made 12 months before the month end against the realised 12-month default (the same scores as the prediction accuracy), computed per month and slice from PD bins. Not additive across slices: each slice is ranked on its own.',
  descriptionZh:
    '以 12 个月前评分的违约概率（PD）对其后 12 个月实际违约情况计算的 ROC 曲线下面积（AUC；与预测准确率为同一评分样本），按 PD 分箱逐月、逐维度计算。各维度单独排序，不可跨维度加总。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'custom',
    text: 'U ÷ (违约数 × 未违约数)，U = 违约客户 PD 高于未违约客户 PD 的配对数（持平计 0.5）',
    textEn: 'U ÷ (defaulters × non-defaulters), U = pairs in which the defaulter has the higher PD (ties count ½)',
    from: 'marts.mart_risk__score_outcomes',
    sql: aucSql,
    numeratorText: 'Mann–Whitney U: defaulter/non-defaulter pairs ranked correctly (ties ½)',
    numeratorTextZh: 'Mann–Whitney U：违约客户 PD 高于未违约客户 PD 的配对数（持平计 ½）',
    denominatorText: 'Defaulters × non-defaulters',
    denominatorTextZh: '违约客户数 × 未违约客户数',
  },
  target: { kind: 'fixed', value: 0.75, op: '>=' },
  tolerance: 0.05,
  policySource: '内部模型风险管理办法（行业惯例：AUC ≥ 0.75）',
  sortOrder: 81,
  // AUC is read as a plain number (0.75), not a percentage.
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
