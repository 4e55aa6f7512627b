import { defineMetric } from '../transforms/kpi/metric.js';

/** 预警及时率. */
export default defineMetric({
  id: 'warning_timeliness',
  nameZh: '预警及时率',
  nameEn: 'Early-warning timeliness',
  description:
    'Warnings raised in the month at most 3 days (policy/kpi-rules.yaml) after their signal date ÷ warnings raised in the month. Lag = raised date − signal date in calendar days.',
  unit: 'ratio',
  direction: 'higher_is_better',
  grain: 'month_end',
  dimensions: ['branch_id', 'customer_type', 'grade'],
  formula: {
    kind: 'ratio',
    text: '信号出现后 3 天内发出的预警数 ÷ 本月发出的预警数',
    numerator: { from: 'marts.mart_warning__monthly', measure: 'sum(raised_timely)', text: 'Warnings raised in the month within 3 days of their signal' },
    denominator: { from: 'marts.mart_warning__monthly', measure: 'sum(warnings_raised)', text: 'Warnings raised in the month' },
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
