import { defineMetric, type CustomContext } from '../transforms/kpi/metric.js';

/**
 * PSI of the month's main model version: the sum of its bins' terms (a − e) × ln(a ÷ e), each
 * worked out in the score-distribution mart (shares floored at 0.0001), summed exactly (DECIMAL)
 * so a rebuild gives the same value. No numerator; the denominator is the month's scores.
 */
function psiSql(ctx: CustomContext): string {
  return `
    SELECT ${ctx.groupCols},
      CAST(NULL AS DOUBLE PRECISION) AS numerator,
      CAST(max(month_scores) AS DOUBLE PRECISION) AS denominator,
      CAST(sum(CAST(psi_contribution AS DECIMAL(38, 18))) AS DOUBLE PRECISION) AS value
    FROM ${ctx.sliced} GROUP BY ${ctx.groupCols}`;
}

/** 模型稳定性 PSI. */
export default defineMetric({
  id: 'model_psi',
  nameZh: '风险模型稳定性（PSI）',
  nameEn: 'Risk-model population stability index (PSI)',
  description:
    "Population stability index of the probability of default (PD) scores of the month against the model version's reference month (by default the first month the version scored in; a lender may fix one month): the reference month's PD cut into 10 bins at its deciles (the outer bins open-ended), then PSI = Σ (a − e) × ln(a ÷ e) over the bins, a = the month's share of scores in the bin, e = the reference month's share, each at least 0.01 % so that an empty bin has a logarithm. One score per customer and month (the latest), so re-scoring does not count a customer twice. When several model versions score in a month the whole-bank value is that of the version with the most scores (the production model); the model review page shows every version. Whole bank only: the bins are the bank's. Reading (industry convention): below 0.10 stable, 0.10 to 0.25 a shift worth investigating, above 0.25 a significant shift.",
  descriptionZh:
    '当月违约概率（PD）评分分布相对该模型版本基准月分布的群体稳定性指数（PSI）。基准月默认为该版本首个评分月份（机构可固定某一月份）；以基准月 PD 的十分位点分为 10 箱（首尾两箱不设外边界），PSI = Σ（a − e）× ln（a ÷ e），a 为当月评分落入该箱的占比，e 为基准月占比，空箱占比按 0.01% 计以使对数有定义。每位客户每月只计一次评分（当月最后一次），重复评分不重复加权。同月有多个模型版本评分时，全行数值取评分数最多的版本（生产模型），各版本见模型月度复盘页。仅计全行：分箱为全行口径。业界惯例：低于 0.10 为稳定，0.10 至 0.25 为需关注的偏移，高于 0.25 为显著偏移。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: [],
  formula: {
    kind: 'custom',
    text: 'Σ（当月占比 − 基准月占比）× ln（当月占比 ÷ 基准月占比），按基准月 PD 十分位分箱',
    textEn: 'Σ (share this month − reference share) × ln(share this month ÷ reference share), over the reference month\'s PD deciles',
    from: 'SELECT as_of_month, model_version, bin, month_scores, reference_total, psi_contribution FROM marts.mart_model__score_distribution WHERE is_main_version',
    sql: psiSql,
    numeratorText: 'None (the PSI is a sum over bins, not a ratio)',
    numeratorTextZh: '无（PSI 为各箱之和，不是比率）',
    denominatorText: "Scores of the month (the main model version's, one per customer)",
    denominatorTextZh: '当月评分数（主模型版本，每位客户一次）',
  },
  // Green below 0.10, amber 0.10 to 0.25, red above 0.25: "< 0.10" with a 0.15 amber band. Judged at
  // the shown 3 decimals (like every KPI): 0.0994 is shown 0.099 (green), 0.0999 is shown 0.100 (amber),
  // 0.2504 is shown 0.250 (amber), 0.2505 is shown 0.251 (red).
  target: { kind: 'fixed', value: 0.1, op: '<' },
  tolerance: 0.15,
  policySource: '内部模型风险管理办法（业界惯例：PSI < 0.10 稳定，0.10–0.25 需关注，> 0.25 显著偏移）',
  sortOrder: 83,
  display: { format: 'number', decimals: 3 },
  page: 'model',
  charts: ['model_stability'],
  inputs: ['risk_scores'],
  // A PSI of a small sample is mostly noise: with n scores this month and m in the reference month, a
  // population that did not move still shows PSI ≈ (bins − 1) × (1/n + 1/m) on average (the chi-square
  // approximation); with 400 and 400 over 10 bins that is 9 × 0.005 = 0.045, under half the green limit.
  minObservations: [
    { count: 400, measure: 'max(month_scores)', textZh: '当月评分', textEn: 'scores this month' },
    { count: 400, measure: 'max(reference_total)', textZh: '基准月评分', textEn: 'scores in the reference month' },
  ],
  valueRange: { min: 0, max: null },
});
