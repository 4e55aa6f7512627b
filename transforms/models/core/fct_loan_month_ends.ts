import { sql } from 'kysely';
import { activeRules } from '../../../metrics/rules/index.js';
import {
  classNameSql,
  classRankSql,
  delinquencyBucketSql,
  floorRankSql,
  floorRuleSql,
  inObservationSql,
} from '../../metrics-engine/rules-sql.js';
import { classRank } from '../../../metrics/rules/five-category.js';
import { defineModel } from '../model.js';

const rawSql = (s: string) => sql.raw(s);

export default defineModel({
  name: 'fct_loan_month_ends',
  layer: 'core',
  grain: 'one row per loan per reporting month with a balance snapshot in that month',
  primaryKey: ['as_of_month', 'loan_id'],
  description:
    'The loan at each month end: the latest balance snapshot dated in the month (delivered by the month end), joined (ASOF) to the latest loan version with business_date <= the month end and to the borrower as of the month end. Adds the five-category regulatory floor (metrics/rules/classification-floor.ts) beside the recorded class, the delinquency bucket, and the previous / next month states that movements and roll rates need. Money stays DECIMAL(18,2).',
  columns: {
    as_of_month: 'Month end.',
    loan_id: 'Loan.',
    customer_id: 'Borrower (loan version as of the month end).',
    branch_id: 'Booking branch (loan version as of the month end).',
    product_id: 'Product.',
    customer_type: "Borrower type as of the month end ('unknown' if the borrower has no customer-month row).",
    grade: "Borrower's recorded grade as of the month end, or 'ungraded'.",
    currency: 'Loan currency (amounts are not converted; see docs/kpis.md).',
    principal: 'Contract principal.',
    disbursed_on: 'Disbursement date.',
    cohort_month: 'Month end of the disbursement month (vintage cohort).',
    months_on_book: 'Whole months from the disbursement month to the month end (0 = disbursed this month).',
    snapshot_date: 'as_of_date of the balance snapshot used.',
    loan_status: 'active, settled or written_off (status of the snapshot).',
    is_on_book: "loan_status = 'active': the loan counts in balances.",
    outstanding_principal: 'Principal outstanding per the snapshot.',
    on_book_balance: 'Outstanding principal when on book, else 0 (the balance every ratio uses).',
    overdue_principal: 'Principal past due.',
    overdue_interest: 'Interest past due.',
    provision_amount: 'Provision held when on book, else 0.',
    days_past_due: 'Days past due.',
    delinquency_bucket: 'current, 1-30, 31-60, 61-90, 90+, written_off or closed.',
    recorded_class: 'Five-category class recorded by the lender.',
    recorded_class_rank: '1 正常 … 5 损失.',
    floor_class: 'Regulatory floor class from the configured rules.',
    floor_class_rank: '1 正常 … 5 损失.',
    floor_rule: "Rule that set the floor: 'dpd>N', 'restructured' or 'none'.",
    is_restructured: 'Restructured (loan version as of the month end).',
    restructured_on: 'Latest restructuring date.',
    in_observation_period: 'Inside the restructuring observation period at the month end.',
    is_npl: 'On book and recorded 次级, 可疑 or 损失 (不良贷款).',
    is_overdue: 'On book and days_past_due > 0.',
    is_dpd90: 'On book and days_past_due > 90.',
    is_under_classified: 'On book and recorded class milder than the floor.',
    is_in_default: 'Default event for model validation (class / dpd / write-off per metrics/rules/kpi-rules.ts).',
    prev_bucket: 'Delinquency bucket at the previous month end (NULL: no snapshot then).',
    prev_recorded_class: 'Recorded class at the previous month end.',
    prev_is_npl: 'NPL at the previous month end (NULL: no snapshot then).',
    prev_balance: 'On-book balance at the previous month end.',
    is_new_npl: 'NPL now and not NPL (or not on book) at the previous month end.',
    next_bucket: "Bucket at the next reporting month end: 'closed' when the loan has no snapshot then; NULL when the next month is not (yet) reported or the loan is off book now.",
    next_snapshot_missing: 'On book now, the next month is reported, and the loan has no snapshot then (left the book unreported).',
    snapshot_business_date: 'Business date that delivered the snapshot.',
  },
  tests: [
    { kind: 'accepted_values', column: 'recorded_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'floor_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'delinquency_bucket', values: ['current', '1-30', '31-60', '61-90', '90+', 'written_off', 'closed'] },
    { kind: 'not_null', columns: ['customer_id', 'branch_id', 'product_id', 'floor_class', 'on_book_balance'] },
    { kind: 'expression', name: 'floor_at_least_dpd_rule', sql: 'days_past_due <= 90 OR floor_class_rank >= 3' },
    { kind: 'expression', name: 'on_book_balance_nonnegative', sql: 'on_book_balance >= 0' },
    { kind: 'expression', name: 'customer_known_at_month_end', sql: "customer_type <> 'unknown'", severity: 'warn' },
    {
      kind: 'query',
      name: 'active_loans_reappear_next_month',
      severity: 'warn',
      sql: 'SELECT * FROM core.fct_loan_month_ends WHERE next_snapshot_missing',
    },
  ],
  query: () => {
    const { floor, kpi } = activeRules();
    const inputs = { dpd: 'j.days_past_due', isRestructured: 'j.is_restructured', restructuredOn: 'j.restructured_on', asOf: 'j.as_of_month' };
    const mv = kpi.modelValidation;
    const defaultRank = classRank(mv.defaultClassAtLeast);
    return sql`
    WITH snap AS (
      SELECT m.as_of_month, b.loan_id, b.as_of_date AS snapshot_date, b.outstanding_principal, b.overdue_principal, b.overdue_interest,
        b.days_past_due, b.recorded_class, b.provision_amount, b.loan_status, b.business_date AS snapshot_business_date
      FROM staging.stg_lender__loan_balances b
      JOIN core.dim_months m ON m.as_of_month = last_day(b.as_of_date)
      WHERE b.business_date <= m.as_of_month
      QUALIFY row_number() OVER (PARTITION BY b.loan_id, m.as_of_month ORDER BY b.as_of_date DESC) = 1
    ),
    lv AS (
      SELECT loan_id, business_date, customer_id, branch_id, product_id, principal, currency, disbursed_on, is_restructured, restructured_on
      FROM staging.stg_lender__loans
    ),
    j AS (
      SELECT s.*, lv.customer_id, lv.branch_id, lv.product_id, lv.principal, lv.currency, lv.disbursed_on, lv.is_restructured, lv.restructured_on
      FROM snap s ASOF JOIN lv ON s.loan_id = lv.loan_id AND s.as_of_month >= lv.business_date
    ),
    c AS (
      SELECT j.*,
        coalesce(cm.customer_type, 'unknown') AS customer_type,
        coalesce(cm.grade, 'ungraded') AS grade,
        j.loan_status = 'active' AS is_on_book,
        ${rawSql(classRankSql('j.recorded_class'))} AS recorded_class_rank,
        ${rawSql(floorRankSql(inputs, floor))} AS floor_class_rank,
        ${rawSql(floorRuleSql(inputs, floor))} AS floor_rule,
        ${rawSql(inObservationSql(inputs, floor))} AS in_observation_period,
        ${rawSql(delinquencyBucketSql('j.loan_status', 'j.days_past_due'))} AS delinquency_bucket
      FROM j
      LEFT JOIN core.fct_customer_month_ends cm ON cm.customer_id = j.customer_id AND cm.as_of_month = j.as_of_month
    ),
    f AS (
      SELECT c.*,
        CASE WHEN is_on_book THEN outstanding_principal ELSE CAST(0 AS DECIMAL(18,2)) END AS on_book_balance,
        (is_on_book AND recorded_class_rank >= 3) AS is_npl
      FROM c
    ),
    w AS (
      SELECT f.*,
        lag(as_of_month) OVER win AS lag_month, lag(delinquency_bucket) OVER win AS lag_bucket,
        lag(recorded_class) OVER win AS lag_class, lag(is_npl) OVER win AS lag_is_npl, lag(on_book_balance) OVER win AS lag_balance,
        lead(as_of_month) OVER win AS lead_month, lead(delinquency_bucket) OVER win AS lead_bucket
      FROM f
      WINDOW win AS (PARTITION BY loan_id ORDER BY as_of_month)
    )
    SELECT w.as_of_month, w.loan_id, w.customer_id, w.branch_id, w.product_id, w.customer_type, w.grade, w.currency, w.principal,
      w.disbursed_on, CAST(last_day(w.disbursed_on) AS DATE) AS cohort_month,
      CAST(date_diff('month', date_trunc('month', w.disbursed_on), date_trunc('month', w.as_of_month)) AS INTEGER) AS months_on_book,
      w.snapshot_date, w.loan_status, w.is_on_book, w.outstanding_principal, w.on_book_balance, w.overdue_principal, w.overdue_interest,
      CASE WHEN w.is_on_book THEN w.provision_amount ELSE CAST(0 AS DECIMAL(18,2)) END AS provision_amount,
      w.days_past_due, w.delinquency_bucket, w.recorded_class, w.recorded_class_rank,
      ${rawSql(classNameSql('w.floor_class_rank'))} AS floor_class, w.floor_class_rank, w.floor_rule,
      w.is_restructured, w.restructured_on, w.in_observation_period,
      w.is_npl,
      (w.is_on_book AND w.days_past_due > 0) AS is_overdue,
      (w.is_on_book AND w.days_past_due > 90) AS is_dpd90,
      (w.is_on_book AND w.recorded_class_rank < w.floor_class_rank) AS is_under_classified,
      (w.recorded_class_rank >= ${rawSql(String(defaultRank))} OR w.days_past_due > ${rawSql(String(Math.trunc(mv.defaultDpdOver)))}
        ${rawSql(mv.writtenOffIsDefault ? "OR w.loan_status = 'written_off'" : '')}) AS is_in_default,
      CASE WHEN w.lag_month = m.prev_month_end THEN w.lag_bucket END AS prev_bucket,
      CASE WHEN w.lag_month = m.prev_month_end THEN w.lag_class END AS prev_recorded_class,
      CASE WHEN w.lag_month = m.prev_month_end THEN w.lag_is_npl END AS prev_is_npl,
      CASE WHEN w.lag_month = m.prev_month_end THEN w.lag_balance END AS prev_balance,
      (w.is_npl AND NOT coalesce(CASE WHEN w.lag_month = m.prev_month_end THEN w.lag_is_npl END, false)) AS is_new_npl,
      CASE WHEN NOT w.is_on_book OR nm.as_of_month IS NULL THEN NULL
           WHEN w.lead_month = nm.as_of_month THEN w.lead_bucket ELSE 'closed' END AS next_bucket,
      coalesce(w.is_on_book AND nm.as_of_month IS NOT NULL AND w.lead_month IS DISTINCT FROM nm.as_of_month, false) AS next_snapshot_missing,
      w.snapshot_business_date
    FROM w
    JOIN core.dim_months m ON m.as_of_month = w.as_of_month
    LEFT JOIN core.dim_months nm ON nm.as_of_month = CAST(last_day(w.as_of_month + INTERVAL 1 MONTH) AS DATE)`;
  },
});
