import { defineMetric } from '../transforms/kpi/metric.js';

/** 预警及时率. */
export default defineMetric({
  id: 'warning_timeliness',
  nameZh: '预警及时率',
  nameEn: 'Early-warning timeliness',
  description:
    'Warnings raised in the month at most 3 days after their signal date ÷ warnings raised in the month. The lag is the raised date minus the signal date, in calendar days.',
  descriptionZh:
    '本月发出的预警中，自风险信号出现之日起 3 个自然日内发出的预警数占本月发出预警数的比例。',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '信号出现后 3 天内发出的预警数 ÷ 本月发出的预警数',
    textEn: 'Warnings raised within 3 days of their signal ÷ warnings raised in the month',
    numerator: { from: 'marts.mart_warning__monthly', measure: 'sum(raised_timely)', text: 'Warnings raised in the month within 3 days of their signal', textZh: '信号出现后 3 天内发出的预警数' },
    denominator: { from: 'marts.mart_warning__monthly', measure: 'sum(warnings_raised)', text: 'Warnings raised in the month', textZh: '本月发出的预警数' },
  },
  target: { kind: 'fixed', value: 0.95, op: '>=' },
  tolerance: 0.03,
  policySource: '风险预警管理办法（内部）；《商业银行信用风险内部评级体系监管指引》关于预警时效的要求',
  sortOrder: 50,
  page: 'early-warning',
  charts: ['branch_overview', 'warning_trend'],
  inputs: ['warnings'],
  // A rate over fewer than 5 warnings raised is too_few.
  minObservations: { count: 5, measure: 'sum(warnings_raised)', textZh: '本月发出的预警', textEn: 'warnings raised' },
  valueRange: { min: 0, max: 1 },
});
