/**
 * Row types of the core, marts and metrics layers (one interface per table), added to the
 * `Warehouse` interface so Kysely queries over them are typed. DECIMAL money columns are strings
 * (exact), BIGINT counts are bigint, DATE / TIMESTAMP are Date. The per-KPI tables
 * `metrics.kpi_<id>` all share {@link KpiRow}; they are not listed one by one so that adding a
 * KPI stays a one-file change (query them with `db.selectFrom('metrics.kpi_npl_ratio' as never)`
 * or through `metrics.kpi_values`).
 */

/** RAG status of a KPI value. */
export type Rag = 'green' | 'amber' | 'red' | 'none';

/** `core.dim_branches` */
export interface DimBranchesRow {
  branch_id: string;
  branch_name_zh: string;
  branch_name_en: string;
  region: string;
  last_listed_on: Date;
}

/** `core.dim_customers` */
export interface DimCustomersRow {
  customer_id: string;
  customer_type: string;
  branch_id: string;
  industry: string | null;
  onboarded_on: Date;
  recorded_grade: string | null;
  graded_on: Date | null;
  relationship_closed_on: Date | null;
  first_business_date: Date;
  version_business_date: Date;
  versions: number;
}

/** `core.dim_loans` */
export interface DimLoansRow {
  loan_id: string;
  customer_id: string;
  branch_id: string;
  product_id: string;
  principal: string;
  currency: string;
  annual_rate: number;
  term_months: number;
  repayment_method: string;
  guarantee_type: string;
  disbursed_on: Date;
  maturity_on: Date;
  cohort_month: Date;
  is_restructured: boolean;
  restructured_on: Date | null;
  first_business_date: Date;
  version_business_date: Date;
  versions: number;
}

/** `core.dim_months` */
export interface DimMonthsRow {
  as_of_month: Date;
  month_start: Date;
  prev_month_end: Date;
  year_ago_month_end: Date;
  month_label: string;
  month_index: number;
  has_prev_month: boolean;
  next_month_end: Date;
  has_next_month: boolean;
}

/** `core.dim_products` */
export interface DimProductsRow {
  product_id: string;
  product_name_zh: string;
  product_name_en: string;
  segment: string;
  last_listed_on: Date;
}

/** `core.fct_customer_month_ends` */
export interface FctCustomerMonthEndsRow {
  as_of_month: Date;
  customer_id: string;
  customer_type: string;
  branch_id: string;
  onboarded_on: Date;
  relationship_closed_on: Date | null;
  recorded_grade: string | null;
  grade: string;
  graded_on: Date | null;
  is_active_start: boolean;
  is_active_end: boolean;
  is_new_in_month: boolean;
  churned_in_month: boolean;
  signal_loans: number;
  max_class_rank: number | null;
  max_dpd: number | null;
  has_written_off: boolean;
  pd: number | null;
  pd_scored_on: Date | null;
  rule_grade: string;
  is_graded: boolean;
  is_misgraded: boolean;
  version_business_date: Date;
}

/** `core.fct_loan_month_ends` */
export interface FctLoanMonthEndsRow {
  as_of_month: Date;
  loan_id: string;
  customer_id: string;
  branch_id: string;
  product_id: string;
  customer_type: string;
  grade: string;
  /** ISO 4217 code the loan is in; the orig_* amounts are in it. */
  currency: string;
  /** CNY per unit used (1 for CNY); null when the rate was not delivered. */
  fx_rate: string | null;
  fx_rate_date: Date | null;
  /** Amounts below are CNY (null when fx_rate is null). */
  principal: string | null;
  disbursed_on: Date;
  cohort_month: Date;
  months_on_book: number;
  snapshot_date: Date;
  loan_status: string;
  is_on_book: boolean;
  outstanding_principal: string | null;
  on_book_balance: string | null;
  overdue_principal: string | null;
  provision_amount: string | null;
  days_past_due: number;
  delinquency_bucket: string;
  recorded_class: string;
  recorded_class_rank: number;
  floor_class: string;
  floor_class_rank: number;
  floor_rule: string;
  is_restructured: boolean;
  restructured_on: Date | null;
  in_observation_period: boolean;
  is_npl: boolean;
  is_overdue: boolean;
  is_dpd90: boolean;
  is_under_classified: boolean;
  is_in_default: boolean;
  prev_is_npl: boolean | null;
  prev_balance: string | null;
  /** NULL when the previous month is not reported (unknown). */
  is_new_npl: boolean | null;
  next_bucket: string | null;
  next_snapshot_missing: boolean;
  orig_principal: string;
  orig_outstanding_principal: string;
  orig_overdue_principal: string;
  orig_provision_amount: string;
}

/** `core.fct_repayments` */
export interface FctRepaymentsRow {
  repayment_id: string;
  loan_id: string;
  instalment_no: number;
  paid_on: Date;
  paid_month: Date;
  principal_paid: string;
  interest_paid: string;
  amount_paid: string;
  business_date: Date;
}

/** `core.fct_risk_score_outcomes` */
export interface FctRiskScoreOutcomesRow {
  customer_id: string;
  scored_on: Date;
  model_version: string;
  score_month: Date;
  as_of_month: Date;
  pd: number;
  pd_bin: string;
  predicted_default: boolean;
  in_default_at_score: boolean;
  is_evaluable: boolean;
  defaulted_within_horizon: boolean;
  is_correct: boolean;
  branch_id: string;
  customer_type: string;
  grade: string;
}

/** `core.fct_surveys` */
export interface FctSurveysRow {
  survey_id: string;
  as_of_month: Date;
  customer_id: string;
  branch_id: string;
  customer_type: string;
  grade: string;
  surveyed_on: Date;
  channel: string;
  score: number;
}

/** `core.fct_verifications` */
export interface FctVerificationsRow {
  verification_id: string;
  valid_from: Date;
  valid_to: Date | null;
  customer_id: string;
  submitted_at: Date;
  submitted_month: Date;
  verified_at: Date | null;
  result: string;
  audit_outcome: string | null;
  hours_to_verify: number | null;
  first_audited_on: Date | null;
  audited_month: Date | null;
}

/** `core.fct_warnings` */
export interface FctWarningsRow {
  warning_id: string;
  valid_from: Date;
  valid_to: Date | null;
  first_delivered_on: Date;
  customer_id: string;
  loan_id: string | null;
  signal_type: string;
  signal_on: Date;
  raised_at: Date;
  raised_on: Date;
  raised_month: Date;
  severity: string;
  closed_at: Date | null;
  lag_days: number;
}

/** `marts.mart_credit__class_matrix` */
export interface MartCreditClassMatrixRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  recorded_class: string;
  recorded_rank: number;
  floor_class: string;
  floor_rank: number;
  is_under_classified: boolean;
  loans: bigint;
  balance: string;
}

/** `marts.mart_credit__five_category_distribution` */
export interface MartCreditFiveCategoryDistributionRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  recorded_class: string;
  class_rank: number;
  loans: bigint;
  balance: string;
  balance_share: number | null;
}

/** `marts.mart_credit__currency_monthly` */
export interface MartCreditCurrencyMonthlyRow {
  as_of_month: Date;
  currency: string;
  reporting_currency: string;
  loans: bigint;
  on_book_loans: bigint;
  orig_balance: string;
  balance: string;
  fx_rate: string | null;
  fx_rate_date: Date | null;
  fx_rates_used: bigint;
  unconverted_loans: bigint;
  unconverted_orig_balance: string;
  missing_rate_dates: string | null;
}

/** `marts.mart_credit__portfolio_monthly` */
export interface MartCreditPortfolioMonthlyRow {
  as_of_month: Date;
  branch_id: string;
  product_id: string;
  customer_type: string;
  grade: string;
  loans: bigint;
  balance: string;
  npl_loans: bigint;
  npl_balance: string;
  overdue_loans: bigint;
  overdue_balance: string;
  overdue_principal: string;
  dpd90_loans: bigint;
  dpd90_balance: string;
  under_classified_loans: bigint;
  under_classified_balance: string;
  floor_npl_balance: string;
  provision_amount: string;
}

/** `marts.mart_customer__grade_mix` */
export interface MartCustomerGradeMixRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  grade_basis: string;
  grade: string;
  customers: bigint;
  share: number;
}

/** `marts.mart_customer__monthly` */
export interface MartCustomerMonthlyRow {
  as_of_month: Date;
  branch_id: string;
  customer_type: string;
  grade: string;
  rule_grade: string;
  customers_active_start: bigint;
  churned_customers: bigint;
  customers_active_end: bigint;
  new_customers: bigint;
  graded_customers: bigint;
  misgraded_customers: bigint;
  recorded_c_customers: bigint;
  rule_c_customers: bigint;
}

/** `marts.mart_customer__satisfaction_monthly` */
export interface MartCustomerSatisfactionMonthlyRow {
  as_of_month: Date;
  branch_id: string;
  customer_type: string;
  grade: string;
  responses: bigint;
  score_sum: bigint;
}

/** `marts.mart_ops__verification_audits` */
export interface MartOpsVerificationAuditsRow {
  as_of_month: Date;
  verification_id: string;
  branch_id: string;
  customer_type: string;
  grade: string;
  audit_outcome: string;
  is_correct: boolean;
}

/** `marts.mart_ops__verification_submissions` */
export interface MartOpsVerificationSubmissionsRow {
  as_of_month: Date;
  verification_id: string;
  branch_id: string;
  customer_type: string;
  grade: string;
  is_completed: boolean;
  within_sla: boolean;
  hours_to_verify: number | null;
}

/** `marts.mart_risk__new_npls` */
export interface MartRiskNewNplsRow {
  as_of_month: Date;
  loan_id: string;
  branch_id: string;
  product_id: string;
  customer_type: string;
  grade: string;
  recorded_class: string;
  balance: string;
  warnings_before: bigint;
  first_warning_on: Date | null;
  lead_days: number | null;
  had_warning_lead: boolean;
}

/** `marts.mart_risk__npl_movements` */
export interface MartRiskNplMovementsRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  movement: string;
  movement_order: number;
  sign: number;
  loans: bigint;
  balance: string;
}

/** `marts.mart_risk__roll_rates` */
export interface MartRiskRollRatesRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  from_bucket: string;
  to_bucket: string;
  from_order: number;
  to_order: number;
  loans: bigint;
  balance: string;
  share: number;
  balance_share: number | null;
}

/** `marts.mart_risk__score_outcomes` */
export interface MartRiskScoreOutcomesRow {
  as_of_month: Date;
  branch_id: string;
  customer_type: string;
  grade: string;
  pd_bin: string;
  scores: bigint;
  defaults: bigint;
  predicted_defaults: bigint;
  correct_predictions: bigint;
}

/** `marts.mart_risk__vintages` */
export interface MartRiskVintagesRow {
  cohort_month: Date;
  months_on_book: number;
  as_of_month: Date;
  slice: string;
  slice_value: string;
  cohort_loans: bigint;
  cohort_principal: string;
  bad_loans: bigint;
  bad_balance: string;
  cum_90_rate_count: number;
  cum_90_rate_balance: number | null;
}

/** `marts.mart_warning__lag_distribution` */
export interface MartWarningLagDistributionRow {
  as_of_month: Date;
  slice: string;
  slice_value: string;
  lag_bucket: string;
  bucket_order: number;
  warnings: bigint;
  share: number;
}

/** `marts.mart_warning__monthly` */
export interface MartWarningMonthlyRow {
  as_of_month: Date;
  branch_id: string;
  customer_type: string;
  grade: string;
  warnings_raised: bigint;
  raised_timely: bigint;
  lag_days_sum: bigint;
}

/** One row of `metrics.kpi_<id>`: per month end, the whole book (all dimensions NULL) or one dimension value. */
export interface KpiRow {
  as_of_month: Date;
  branch_id: string | null;
  product_id: string | null;
  customer_type: string | null;
  grade: string | null;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  rag: Rag;
  /** `no_data`: value NULL, RAG 'none', reason set (docs/kpis.md, "Availability"). */
  status: 'measured' | 'no_data';
  reason_code: 'input_not_delivered' | 'no_prior_month' | 'denominator_zero' | 'too_few_observations' | null;
  reason_zh: string | null;
  reason_en: string | null;
}

/** `metrics.kpi_values` */
export interface KpiValuesRow {
  metric_id: string;
  as_of_month: Date;
  slice: 'all' | 'branch' | 'product' | 'customer_type' | 'grade';
  slice_value: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  rag: Rag;
  status: 'measured' | 'no_data';
  reason_code: 'input_not_delivered' | 'no_prior_month' | 'denominator_zero' | 'too_few_observations' | null;
  reason_zh: string | null;
  reason_en: string | null;
  slice_label: string;
}

/** `metrics.metric_catalog` */
export interface MetricCatalogRow {
  metric_id: string;
  name_zh: string;
  name_en: string;
  description: string;
  formula_kind: 'ratio' | 'aggregate' | 'custom';
  formula_text: string;
  numerator_text: string;
  denominator_text: string;
  unit: 'ratio' | 'days' | 'hours' | 'score';
  direction: 'lower_is_better' | 'higher_is_better';
  target: number | null;
  target_op: string;
  target_text: string;
  tolerance: number;
  tolerance_text: string;
  policy_source: string;
  grain: string;
  dimensions: string;
  sort_order: number;
  inputs: string;
  needs_prior_months: number;
  min_observations: number | null;
  availability_zh: string;
  availability_en: string;
}

/** `metrics.input_deliveries` */
export interface InputDeliveriesRow {
  input: string;
  entity: string;
  column_name: string | null;
  label_zh: string;
  label_en: string;
  /** First business date the input was delivered; NULL: never. */
  first_delivered: Date | null;
}

/** Tables of the `core` schema. */
export interface CoreTables {
  'core.dim_branches': DimBranchesRow;
  'core.dim_customers': DimCustomersRow;
  'core.dim_loans': DimLoansRow;
  'core.dim_months': DimMonthsRow;
  'core.dim_products': DimProductsRow;
  'core.fct_customer_month_ends': FctCustomerMonthEndsRow;
  'core.fct_loan_month_ends': FctLoanMonthEndsRow;
  'core.fct_repayments': FctRepaymentsRow;
  'core.fct_risk_score_outcomes': FctRiskScoreOutcomesRow;
  'core.fct_surveys': FctSurveysRow;
  'core.fct_verifications': FctVerificationsRow;
  'core.fct_warnings': FctWarningsRow;
}

/** Tables of the `marts` schema. */
export interface MartTables {
  'marts.mart_credit__class_matrix': MartCreditClassMatrixRow;
  'marts.mart_credit__five_category_distribution': MartCreditFiveCategoryDistributionRow;
  'marts.mart_credit__currency_monthly': MartCreditCurrencyMonthlyRow;
  'marts.mart_credit__portfolio_monthly': MartCreditPortfolioMonthlyRow;
  'marts.mart_customer__grade_mix': MartCustomerGradeMixRow;
  'marts.mart_customer__monthly': MartCustomerMonthlyRow;
  'marts.mart_customer__satisfaction_monthly': MartCustomerSatisfactionMonthlyRow;
  'marts.mart_ops__verification_audits': MartOpsVerificationAuditsRow;
  'marts.mart_ops__verification_submissions': MartOpsVerificationSubmissionsRow;
  'marts.mart_risk__new_npls': MartRiskNewNplsRow;
  'marts.mart_risk__npl_movements': MartRiskNplMovementsRow;
  'marts.mart_risk__roll_rates': MartRiskRollRatesRow;
  'marts.mart_risk__score_outcomes': MartRiskScoreOutcomesRow;
  'marts.mart_risk__vintages': MartRiskVintagesRow;
  'marts.mart_warning__lag_distribution': MartWarningLagDistributionRow;
  'marts.mart_warning__monthly': MartWarningMonthlyRow;
}

/** Tables of the `metrics` schema. */
export interface MetricTables {
  'metrics.kpi_values': KpiValuesRow;
  'metrics.metric_catalog': MetricCatalogRow;
  'metrics.input_deliveries': InputDeliveriesRow;
}
