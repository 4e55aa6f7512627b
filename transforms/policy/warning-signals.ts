/**
 * The vocabulary of the post-loan warning rules: the signals of an on-book loan at a month end
 * that a rule's `when` may name (policy/warning-rules.yaml). Each is a column of
 * core.fct_loan_month_signals, where it is computed (a test checks that the mart has every
 * one with this type). "Previous" means the previous reporting month end; a loan that had no
 * snapshot then has NULL there, and a comparison with NULL is not true (the rule does not fire).
 *
 * @example
 * WARNING_SIGNALS.find((s) => s.name === 'days_past_due')?.type; // 'number'
 */
export interface WarningSignal {
  readonly name: string;
  readonly type: 'number' | 'boolean' | 'text';
  readonly zh: string;
  readonly en: string;
  /** Decimals shown in a flag's evidence (fractional signals such as PD); whole values are shown as they are. */
  readonly decimals?: number;
}

export const WARNING_SIGNALS: readonly WarningSignal[] = [
  { name: 'days_past_due', type: 'number', zh: '逾期天数', en: 'Days past due at the month end (0 = current).' },
  { name: 'prev_days_past_due', type: 'number', zh: '上月末逾期天数', en: 'Days past due at the previous month end.' },
  {
    name: 'late_instalments_in_a_row',
    type: 'number',
    zh: '连续小额延迟还款期数',
    en: 'Of the instalments due in the 4 months up to the month end, the latest ones in a row paid in full 1 to 30 days after their due date (a small delay): counts back from the latest instalment due and stops at one paid on time, paid more than 30 days late or unpaid.',
  },
  { name: 'pd', type: 'number', zh: '违约概率', en: "The customer's latest usable probability of default at the month end (core.fct_customer_month_ends.pd).", decimals: 4 },
  { name: 'prev_pd', type: 'number', zh: '上月末违约概率', en: 'The same at the previous month end.', decimals: 4 },
  { name: 'grade_rank', type: 'number', zh: '客户评级等级', en: "The customer's recorded grade as a rank: 1 A, 2 B, 3 C (NULL: not graded)." },
  { name: 'prev_grade_rank', type: 'number', zh: '上月末客户评级等级', en: 'The same at the previous month end.' },
  { name: 'other_bank_overdue', type: 'boolean', zh: '他行逾期信号', en: 'An early warning of signal overdue_other_bank about the customer or the loan is open at the month end.' },
  { name: 'open_source_warnings', type: 'number', zh: '源系统未关闭预警数', en: "Early warnings of the source system about the customer or the loan open at the month end (any signal)." },
  { name: 'failed_verifications', type: 'number', zh: '核验未通过次数', en: "The customer's verification checks completed in the month with result fail." },
  { name: 'overdue_verifications', type: 'number', zh: '超时未完成核验数', en: "The customer's verification checks pending at the month end for longer than the SLA (policy/kpi-rules.yaml verification.sla_hours)." },
  { name: 'balance', type: 'number', zh: '贷款余额', en: 'Outstanding principal at the month end, CNY.' },
  { name: 'prev_balance', type: 'number', zh: '上月末贷款余额', en: 'Outstanding principal at the previous month end, CNY.' },
  { name: 'is_amortising', type: 'boolean', zh: '分期摊还贷款', en: 'Repaid by instalments of principal (equal_instalment 等额本息 or equal_principal 等额本金).' },
  { name: 'in_observation_period', type: 'boolean', zh: '重组观察期内', en: 'Restructured and inside its observation period (policy/classification-floor.yaml).' },
  { name: 'prev_in_observation_period', type: 'boolean', zh: '上月末在重组观察期内', en: 'The same at the previous month end.' },
  { name: 'recorded_class_rank', type: 'number', zh: '五级分类等级', en: 'Recorded five-category class as a rank: 1 正常 … 5 损失.' },
  { name: 'is_npl', type: 'boolean', zh: '不良贷款', en: 'Recorded 次级 or worse.' },
  { name: 'months_on_book', type: 'number', zh: '账龄（月）', en: 'Whole months since the disbursement month.' },
  { name: 'product_id', type: 'text', zh: '产品', en: "Product code, e.g. 'car'." },
];
