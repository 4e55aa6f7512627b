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
import {
  asEnum,
  BUCKET_ENUM,
  CURRENCY_ENUM,
  CUSTOMER_TYPE_ENUM,
  FIVE_CLASS_ENUM,
  floorRuleEnum,
  GRADE_ENUM,
  LOAN_STATUS_ENUM,
  PRODUCT_ENUM,
} from '../../metrics-engine/enums.js';
import { classRank } from '../../../metrics/rules/five-category.js';
import { defineModel } from '../model.js';

const rawSql = (s: string) => sql.raw(s);

export default defineModel({
  name: 'fct_loan_month_ends',
  layer: 'core',
  grain: 'one row per loan per reporting month with a balance snapshot in that month',
  primaryKey: ['as_of_month', 'loan_id'],
  description:
    'The loan at each month end: the balance snapshot dated at the month end (else the latest one dated in the month), delivered by the month end, joined (ASOF) to the latest loan version and the latest borrower version with business_date <= the month end. Adds the five-category regulatory floor (metrics/rules/classification-floor.ts) beside the recorded class, the delinquency bucket, and the previous / next month states that movements and roll rates need. Money stays DECIMAL(18,2).',
  columns: {
    as_of_month: 'Month end.',
    loan_id: 'Loan.',
    customer_id: 'Borrower (loan version as of the month end).',
    branch_id: 'Booking branch (loan version as of the month end).',
    product_id: 'Product.',
    customer_type: 'Borrower type as of the month end (latest customer version delivered by then).',
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
    prev_is_npl: 'NPL at the previous month end (NULL: no snapshot then).',
    prev_balance: 'On-book balance at the previous month end.',
    is_new_npl: 'NPL now and not NPL (or not on book) at the previous month end.',
    next_bucket: "Bucket at the next reporting month end: 'closed' when the loan has no snapshot then; NULL when the next month is not (yet) reported or the loan is off book now.",
    next_snapshot_missing: 'On book now, the next month is reported, and the loan has no snapshot then (left the book unreported).',
  },
  tests: [
    { kind: 'accepted_values', column: 'recorded_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'floor_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'delinquency_bucket', values: ['current', '1-30', '31-60', '61-90', '90+', 'written_off', 'closed'] },
    { kind: 'not_null', columns: ['customer_id', 'branch_id', 'product_id', 'floor_class', 'on_book_balance'] },
    { kind: 'expression', name: 'floor_at_least_dpd_rule', sql: 'days_past_due <= 90 OR floor_class_rank >= 3' },
    { kind: 'expression', name: 'on_book_balance_nonnegative', sql: 'on_book_balance >= 0' },
    {
      kind: 'query',
      name: 'active_loans_reappear_next_month',
      severity: 'warn',
      sql: 'SELECT * FROM core.fct_loan_month_ends WHERE next_snapshot_missing',
    },
  ],
  query: () => {
    const { floor, kpi } = activeRules();
    const inputs = { dpd: 'c.days_past_due', isRestructured: 'c.is_restructured', restructuredOn: 'c.restructured_on', asOf: 'c.as_of_month' };
    const inputsF = { dpd: 'f.days_past_due', isRestructured: 'f.is_restructured', restructuredOn: 'f.restructured_on', asOf: 'f.as_of_month' };
    const mv = kpi.modelValidation;
    const defaultRank = classRank(mv.defaultClassAtLeast);
    const r = (x: string) => rawSql(x);
    return sql`
    WITH base AS (
      SELECT m.as_of_month, m.prev_month_end, b.loan_id, b.as_of_date AS snapshot_date, b.outstanding_principal, b.overdue_principal,
        b.days_past_due, b.recorded_class, b.provision_amount, b.loan_status
      FROM staging.stg_lender__loan_balances b
      JOIN core.dim_months m ON m.as_of_month = last_day(b.as_of_date)
      WHERE b.business_date <= m.as_of_month
    ),
    -- The month's snapshot: the one dated at the month end (unique per loan by the extract key), else
    -- the latest one dated in the month. Only the rare non-month-end rows need de-duplication.
    month_end AS (SELECT * FROM base WHERE snapshot_date = as_of_month),
    other AS (
      SELECT * FROM base WHERE snapshot_date < as_of_month
      QUALIFY row_number() OVER (PARTITION BY loan_id, as_of_month ORDER BY snapshot_date DESC) = 1
    ),
    shadowed AS (SELECT o.loan_id, o.as_of_month FROM other o JOIN month_end e ON e.loan_id = o.loan_id AND e.as_of_month = o.as_of_month),
    snap AS (
      SELECT * FROM month_end
      UNION ALL
      SELECT o.* FROM other o ANTI JOIN shadowed x ON x.loan_id = o.loan_id AND x.as_of_month = o.as_of_month
    ),
    -- Previous / next month states from one window over the narrow snapshot rows.
    s AS (
      SELECT snap.*,
        loan_status = 'active' AS is_on_book,
        ${r(classRankSql('recorded_class'))} AS recorded_class_rank,
        CASE WHEN loan_status = 'active' THEN outstanding_principal ELSE CAST(0 AS DECIMAL(18,2)) END AS on_book_balance,
        ${r(delinquencyBucketSql('loan_status', 'days_past_due'))} AS delinquency_bucket
      FROM snap
    ),
    w AS (
      SELECT s.*,
        lag(as_of_month) OVER win AS lag_month,
        lag(is_on_book AND recorded_class_rank >= 3) OVER win AS lag_is_npl,
        lag(on_book_balance) OVER win AS lag_balance,
        lead(as_of_month) OVER win AS lead_month,
        lead(delinquency_bucket) OVER win AS lead_bucket
      FROM s
      WINDOW win AS (PARTITION BY loan_id ORDER BY as_of_month)
    ),
    -- Loan and borrower as of the month end: version validity intervals, joined by hash on the key
    -- (valid_from <= month end < valid_to), which is much cheaper than an ASOF join on 15M+ rows.
    lv AS (
      SELECT loan_id, business_date AS valid_from,
        coalesce(lead(business_date) OVER (PARTITION BY loan_id ORDER BY business_date), DATE '9999-12-31') AS valid_to,
        customer_id, branch_id, product_id, principal, currency, disbursed_on, is_restructured, restructured_on
      FROM staging.stg_lender__loans
    ),
    cv AS (
      SELECT customer_id, business_date AS valid_from,
        coalesce(lead(business_date) OVER (PARTITION BY customer_id ORDER BY business_date), DATE '9999-12-31') AS valid_to,
        customer_type, coalesce(recorded_grade, 'ungraded') AS grade
      FROM staging.stg_lender__customers
    ),
    c AS (
      SELECT w.*, lv.customer_id, lv.branch_id, lv.product_id, lv.principal, lv.currency, lv.disbursed_on, lv.is_restructured, lv.restructured_on,
        cv.customer_type, cv.grade
      FROM w
      JOIN lv ON lv.loan_id = w.loan_id AND w.as_of_month >= lv.valid_from AND w.as_of_month < lv.valid_to
      LEFT JOIN cv ON cv.customer_id = lv.customer_id AND w.as_of_month >= cv.valid_from AND w.as_of_month < cv.valid_to
    ),
    f AS (
      SELECT c.*,
        ${r(floorRankSql(inputs, floor))} AS floor_class_rank,
        (c.is_on_book AND c.recorded_class_rank >= 3) AS is_npl,
        CASE WHEN c.lag_month = c.prev_month_end THEN c.lag_is_npl END AS prev_is_npl
      FROM c
    )
    SELECT f.as_of_month, f.loan_id, f.customer_id, f.branch_id,
      ${r(asEnum('f.product_id', PRODUCT_ENUM))} AS product_id,
      ${r(asEnum("coalesce(f.customer_type, 'unknown')", CUSTOMER_TYPE_ENUM))} AS customer_type,
      ${r(asEnum("coalesce(f.grade, 'ungraded')", GRADE_ENUM))} AS grade,
      ${r(asEnum('f.currency', CURRENCY_ENUM))} AS currency,
      f.principal, f.disbursed_on, CAST(last_day(f.disbursed_on) AS DATE) AS cohort_month,
      CAST(date_diff('month', date_trunc('month', f.disbursed_on), date_trunc('month', f.as_of_month)) AS INTEGER) AS months_on_book,
      f.snapshot_date,
      ${r(asEnum('f.loan_status', LOAN_STATUS_ENUM))} AS loan_status,
      f.is_on_book, f.outstanding_principal, f.on_book_balance, f.overdue_principal,
      CASE WHEN f.is_on_book THEN f.provision_amount ELSE CAST(0 AS DECIMAL(18,2)) END AS provision_amount,
      f.days_past_due,
      ${r(asEnum('f.delinquency_bucket', BUCKET_ENUM))} AS delinquency_bucket,
      ${r(asEnum('f.recorded_class', FIVE_CLASS_ENUM))} AS recorded_class,
      CAST(f.recorded_class_rank AS TINYINT) AS recorded_class_rank,
      ${r(asEnum(classNameSql('f.floor_class_rank'), FIVE_CLASS_ENUM))} AS floor_class,
      CAST(f.floor_class_rank AS TINYINT) AS floor_class_rank,
      ${r(asEnum(floorRuleSql(inputsF, floor), floorRuleEnum(floor)))} AS floor_rule,
      f.is_restructured, f.restructured_on,
      ${r(inObservationSql(inputsF, floor))} AS in_observation_period,
      f.is_npl,
      (f.is_on_book AND f.days_past_due > 0) AS is_overdue,
      (f.is_on_book AND f.days_past_due > 90) AS is_dpd90,
      (f.is_on_book AND f.recorded_class_rank < f.floor_class_rank) AS is_under_classified,
      (f.recorded_class_rank >= ${r(String(defaultRank))} OR f.days_past_due > ${r(String(Math.trunc(mv.defaultDpdOver)))}
        ${r(mv.writtenOffIsDefault ? "OR f.loan_status = 'written_off'" : '')}) AS is_in_default,
      f.prev_is_npl,
      CASE WHEN f.lag_month = f.prev_month_end THEN f.lag_balance END AS prev_balance,
      (f.is_npl AND NOT coalesce(f.prev_is_npl, false)) AS is_new_npl,
      ${r(asEnum(`CASE WHEN NOT f.is_on_book OR nm.as_of_month IS NULL THEN NULL
           WHEN f.lead_month = nm.as_of_month THEN f.lead_bucket ELSE 'closed' END`, BUCKET_ENUM))} AS next_bucket,
      coalesce(f.is_on_book AND nm.as_of_month IS NOT NULL AND f.lead_month IS DISTINCT FROM nm.as_of_month, false) AS next_snapshot_missing
    FROM f
    LEFT JOIN core.dim_months nm ON nm.as_of_month = CAST(last_day(f.as_of_month + INTERVAL 1 MONTH) AS DATE)`;
  },
});
