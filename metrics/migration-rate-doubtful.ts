import { defineMetric } from '../transforms/kpi/metric.js';

/** 可疑类贷款迁徙率: year to date, the regulatory definition (docs/migration.md). */
export default defineMetric({
  id: 'migration_rate_doubtful',
  nameZh: '可疑类贷款迁徙率',
  nameEn: 'Doubtful loan migration rate',
  description:
    'Share of loans classified doubtful at the period start that are loss at the period end, year to date (the period starts at the previous year end): the balance of those loans at the month end ÷ (the opening balance of the class at the previous year end − its decrease during the period: principal collected, written off, transferred or otherwise removed from the book). A loan that migrated and paid down counts with its balance at the period end (never more than its opening balance); loans granted during the period are not in it. The regulatory definition (annual, year to date).',
  descriptionZh:
    '期初可疑类贷款中期末分类为损失类的贷款占本年以来（期初为上年末）期初余额扣除期间减少金额后的比例：分子为这些贷款的期末余额，分母为期初（上年末）该类贷款余额减去期间因正常收回、核销、转让等原因减少的金额。既迁徙又部分还款的贷款按期末余额（不超过期初余额）计入；期间新发放的贷款不计入。按《商业银行风险监管核心指标（试行）》口径，期初为上年末（年度累计）。',
  unit: 'ratio',
  direction: 'lower_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'product_id'],
  formula: {
    kind: 'ratio',
    text: '本年累计：期初可疑类贷款向下迁徙金额 ÷ (期初可疑类贷款余额 − 期初可疑类贷款期间减少金额)',
    textEn: 'Year to date: Doubtful loans migrated to loss ÷ (doubtful loans at the period start − their decrease in the period)',
    // The migration cube, cohort of the ytd period: loans on book at its start in the class(es) above.
    numerator: {
      from: "SELECT * FROM marts.mart_credit__class_migration_cube WHERE period = 'ytd' AND from_class IN ('可疑')",
      measure: 'coalesce(sum(remaining_balance) FILTER (WHERE to_class_rank > from_class_rank), 0)',
      text: 'Balance, at the period end, of loans classified doubtful at the period start and now loss',
      textZh: '期初可疑类贷款中期末分类为损失类的贷款余额',
    },
    denominator: {
      from: "SELECT * FROM marts.mart_credit__class_migration_cube WHERE period = 'ytd' AND from_class IN ('可疑')",
      measure: 'sum(remaining_balance)',
      text: 'Doubtful loans at the period start less their decrease during the period',
      textZh: '期初可疑类贷款余额 − 期初可疑类贷款期间减少金额',
    },
  },
  // A monitoring indicator of 《商业银行风险监管核心指标（试行）》: the regulation sets no limit for it.
  target: { kind: 'none', text: '无（监测指标，监管未设标准值）', textEn: 'None (monitoring indicator; no regulatory limit)' },
  tolerance: 0,
  policySource: '《商业银行风险监管核心指标（试行）》（银监发〔2005〕89号）风险迁徙类指标；分类口径：《商业银行金融资产风险分类办法》（2023年第1号令）',
  sortOrder: 103,
  page: 'migration',
  inputs: ['loan_balances'],
  // Movements since Dec 31 of the previous year: unknowable while that month end is not loaded.
  needsPriorYearEnd: true,
  valueRange: { min: 0, max: 1 },
});
