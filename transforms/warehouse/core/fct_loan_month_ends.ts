import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import {
  classNameSql,
  classRankSql,
  delinquencyBucketSql,
  dpdFloorRankSql,
  floorRuleFromRanksSql,
  inObservationSql,
  observationEndSql,
  restructuredRankFromFlagSql,
} from '../rules-sql.js';
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
} from '../enums.js';
import { classRank } from '../../policy/five-category.js';
import { REPORTING_CURRENCY } from '../../ingest/contract/index.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

const rawSql = (s: string) => sql.raw(s);

/**
 * An amount in the loan currency → CNY at `rate` (CNY per unit), rounded half away from zero to
 * the fen; CNY amounts pass unchanged (no arithmetic), a missing rate gives NULL.
 *
 * @example
 * cny('g.on_book_balance');
 * // CASE WHEN g.currency = 'CNY' THEN g.on_book_balance
 * //      ELSE CAST(round(CAST(g.on_book_balance AS DECIMAL(38,2)) * g.fx_rate, 2) AS DECIMAL(18,2)) END
 */
function cny(amount: string, rate = 'g.fx_rate'): string {
  return `CASE WHEN g.currency = '${REPORTING_CURRENCY}' THEN ${amount} ELSE CAST(round(CAST(${amount} AS DECIMAL(38,2)) * ${rate}, 2) AS DECIMAL(18,2)) END`;
}

export default defineModel({
  name: 'fct_loan_month_ends',
  layer: 'core',
  grain: 'one row per loan per reporting month with a balance snapshot in that month',
  primaryKey: ['as_of_month', 'loan_id'],
  description:
    'The loan at each month end: the balance snapshot dated at the month end (else the latest one dated in the month), delivered by the month end, with the latest loan version and the latest borrower version with business_date <= the month end (version validity intervals). Adds the five-category regulatory floor (policy/classification-floor.yaml, docs/classification.md) beside the recorded class, the delinquency bucket, and the previous / next month states that movements and roll rates need. Money is DECIMAL(18,2) in the reporting currency CNY: a loan in another currency is converted here, once, at the fx_rates rate dated the date of its balance snapshot (fx_rate, fx_rate_date; each amount rounded half away from zero to the fen), its amounts as delivered kept in orig_* columns; without that rate its CNY amounts are NULL (data test amounts_converted; the regulator export refuses the month). Every mart and KPI sums these CNY amounts.',
  inherits: ['core.dim_months', 'staging.stg_lender__loans', 'staging.stg_lender__loan_balances'],
  columns: {
    customer_id: 'Borrower (loan version as of the month end).',
    branch_id: 'Booking branch (loan version as of the month end).',
    customer_type: 'Borrower type as of the month end (latest customer version delivered by then).',
    grade: "Borrower's recorded grade as of the month end, or 'ungraded'.",
    currency: 'ISO 4217 currency the loan is in (loan version as of the month end); its amounts as delivered are the orig_* columns.',
    fx_rate: 'CNY per one unit of currency used for the CNY amounts: 1 for CNY; the fx_rates rate dated snapshot_date otherwise; NULL when that rate was not delivered (then the CNY amounts are NULL).',
    fx_rate_date: 'Date of the rate used (= snapshot_date); NULL for CNY loans and when no rate was delivered.',
    principal: 'Contract principal in CNY (orig_principal × fx_rate, to the fen).',
    cohort_month: 'Month end of the disbursement month (vintage cohort).',
    months_on_book: 'Whole months from the disbursement month to the month end (0 = disbursed this month).',
    snapshot_date: 'as_of_date of the balance snapshot used.',
    loan_status: 'active, settled or written_off (status of the snapshot).',
    is_on_book: "loan_status = 'active': the loan counts in balances.",
    outstanding_principal: 'Principal outstanding per the snapshot, in CNY.',
    on_book_balance: 'Outstanding principal in CNY when on book, else 0 (the balance every ratio uses).',
    overdue_principal: 'Principal past due, in CNY.',
    provision_amount: 'Provision held when on book, else 0; in CNY.',
    delinquency_bucket: 'current, 1-30, 31-60, 61-90, 90+, written_off or closed.',
    recorded_class_rank: '1 正常 … 5 损失.',
    floor_class: 'Regulatory floor class from the configured rules.',
    floor_class_rank: '1 正常 … 5 损失.',
    floor_rule: "Rule that set the floor: 'dpd>N', 'restructured' or 'none'.",
    is_restructured: 'Restructured (loan version as of the month end).',
    is_amortising: 'Repaid by instalments of principal (loan version as of the month end): repayment_method equal_instalment (等额本息) or equal_principal (等额本金).',
    in_observation_period: 'Inside the restructuring observation period at the month end.',
    is_npl: 'On book and recorded 次级, 可疑 or 损失 (不良贷款).',
    is_overdue: 'On book and days_past_due > 0.',
    is_dpd90: 'On book and days_past_due > 90.',
    is_under_classified: 'On book and recorded class milder than the floor.',
    is_in_default: 'Default event for model validation (class / dpd / write-off per policy/kpi-rules.yaml, model_validation).',
    prev_is_npl: 'NPL at the previous month end (NULL: no snapshot then).',
    prev_balance: "On-book balance at the previous month end, in CNY at that snapshot's rate.",
    is_new_npl: 'NPL now and not NPL (or not on book) at the previous month end; NULL (unknown) when the previous month is not a reporting month (the first month loaded, or a gap): no loan is counted as new there.',
    next_bucket: "Bucket at the next reporting month end: 'closed' when the loan has no snapshot then; NULL when the next month is not (yet) reported or the loan is off book now.",
    next_snapshot_missing: 'On book now, the next month is reported, and the loan has no snapshot then (left the book unreported).',
    orig_principal: 'Contract principal in the loan currency, as delivered.',
    orig_outstanding_principal: 'Outstanding principal in the loan currency, as delivered.',
    orig_overdue_principal: 'Principal past due in the loan currency, as delivered.',
    orig_provision_amount: 'Provision held when on book, else 0; in the loan currency, as delivered.',
  },
  tests: [
    { kind: 'accepted_values', column: 'recorded_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'floor_class', values: ['正常', '关注', '次级', '可疑', '损失'] },
    { kind: 'accepted_values', column: 'delinquency_bucket', values: ['current', '1-30', '31-60', '61-90', '90+', 'written_off', 'closed'] },
    { kind: 'not_null', columns: ['customer_id', 'branch_id', 'product_id', 'currency', 'floor_class', 'orig_outstanding_principal'] },
    { kind: 'expression', name: 'floor_at_least_dpd_rule', sql: 'days_past_due <= 90 OR floor_class_rank >= 3' },
    { kind: 'expression', name: 'on_book_balance_nonnegative', sql: 'on_book_balance IS NULL OR on_book_balance >= 0' },
    {
      kind: 'expression',
      name: 'amounts_converted',
      severity: 'warn',
      sql: 'fx_rate IS NOT NULL',
    },
    { kind: 'expression', name: 'cny_amounts_iff_rate', sql: '(fx_rate IS NULL) = (on_book_balance IS NULL) AND (fx_rate IS NULL) = (principal IS NULL)' },
    {
      kind: 'query',
      name: 'active_loans_reappear_next_month',
      severity: 'warn',
      sql: 'SELECT * FROM core.fct_loan_month_ends WHERE next_snapshot_missing',
    },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    const { floor, kpi } = activeRules();
    // Incremental: months >= since, reading from the month before (previous-month columns).
    const fromMonth = since ? `AND m.as_of_month >= CAST(last_day(DATE '${since}' - INTERVAL '1 month') AS DATE)` : '';
    const mv = kpi.modelValidation;
    const defaultRank = classRank(mv.defaultClassAtLeast);
    const r = (x: string) => rawSql(x);
    const inObs = inObservationSql(
      { isRestructured: 'x.is_restructured', restructuredOn: 'x.restructured_on', asOf: 'x.as_of_month', observationEnd: 'x.observation_end' },
      floor,
    );
    return sql`
    WITH base AS (
      SELECT m.as_of_month, m.prev_month_end, m.has_prev_month, m.next_month_end, m.has_next_month,
        b.loan_id, b.as_of_date AS snapshot_date, b.outstanding_principal, b.overdue_principal,
        b.days_past_due, b.recorded_class, b.provision_amount, b.loan_status
      FROM staging.stg_lender__loan_balances b
      JOIN core.dim_months m ON m.as_of_month = last_day(b.as_of_date)
      WHERE b.business_date <= m.as_of_month ${rawSql(fromMonth)}
    ),
    -- The month's snapshot: the one dated at the month end (unique per loan by the extract key), else
    -- the latest one dated in the month. Only the rare non-month-end rows need de-duplication: other
    -- names the latest of them per loan-month, shadowed those a month-end row outranks, and two probes
    -- of these small sets keep the right ones beside the month-end rows. (No UNION ALL of the two
    -- kinds: Citus cannot push a UNION ALL down to the workers once the statement also joins a
    -- reference table, and would compute it on the coordinator.)
    other AS (
      SELECT loan_id, as_of_month, snapshot_date
      FROM (
        SELECT loan_id, as_of_month, snapshot_date,
          row_number() OVER (PARTITION BY loan_id, as_of_month ORDER BY snapshot_date DESC) AS latest
        FROM base WHERE snapshot_date < as_of_month
      ) AS dated
      WHERE latest = 1
    ),
    shadowed AS (
      SELECT o.loan_id, o.as_of_month FROM other o
      JOIN base e ON e.loan_id = o.loan_id AND e.as_of_month = o.as_of_month AND e.snapshot_date = e.as_of_month
    ),
    snap AS (
      SELECT b.* FROM base b
      LEFT JOIN other o ON o.loan_id = b.loan_id AND o.as_of_month = b.as_of_month AND o.snapshot_date = b.snapshot_date
      LEFT JOIN shadowed x ON x.loan_id = b.loan_id AND x.as_of_month = b.as_of_month
      WHERE b.snapshot_date = b.as_of_month OR (o.loan_id IS NOT NULL AND x.loan_id IS NULL)
    ),
    -- Codes become one-byte ENUMs before the window so the sort carries little payload.
    s AS (
      SELECT as_of_month, prev_month_end, has_prev_month, next_month_end, has_next_month, loan_id, snapshot_date,
        outstanding_principal, overdue_principal, days_past_due, provision_amount,
        ${r(asEnum('recorded_class', FIVE_CLASS_ENUM))} AS recorded_class,
        ${r(asEnum('loan_status', LOAN_STATUS_ENUM))} AS loan_status,
        loan_status = 'active' AS is_on_book,
        CAST(${r(classRankSql('recorded_class'))} AS TINYINT) AS recorded_class_rank,
        CASE WHEN loan_status = 'active' THEN outstanding_principal ELSE CAST(0 AS DECIMAL(18,2)) END AS on_book_balance,
        ${r(asEnum(delinquencyBucketSql('loan_status', 'days_past_due'), BUCKET_ENUM))} AS delinquency_bucket
      FROM snap
    ),
    -- Previous / next month states from one window over the narrow snapshot rows.
    w AS (
      SELECT s.*,
        lag(as_of_month) OVER win AS lag_month,
        lag(is_on_book AND recorded_class_rank >= 3) OVER win AS lag_is_npl,
        lag(on_book_balance) OVER win AS lag_balance,
        lag(snapshot_date) OVER win AS lag_snapshot_date,
        lead(as_of_month) OVER win AS lead_month,
        lead(delinquency_bucket) OVER win AS lead_bucket
      FROM s
      WINDOW win AS (PARTITION BY loan_id ORDER BY as_of_month)
    ),
    -- The loan and its borrower as of a month end, as validity intervals: loan versions intersected
    -- with the borrower's versions (both ~1M rows), then ONE hash join of the loan-months on the loan
    -- with valid_from <= month end < valid_to — much cheaper than ASOF joins over 15M+ wide rows.
    lv AS (
      SELECT loan_id, business_date AS valid_from,
        coalesce(lead(business_date) OVER (PARTITION BY loan_id ORDER BY business_date), DATE '9999-12-31') AS valid_to,
        customer_id, branch_id, product_id, principal, currency, disbursed_on, is_restructured, restructured_on, repayment_method
      FROM staging.stg_lender__loans
    ),
    cv AS (
      SELECT customer_id, business_date AS valid_from,
        coalesce(lead(business_date) OVER (PARTITION BY customer_id ORDER BY business_date), DATE '9999-12-31') AS valid_to,
        customer_type, coalesce(recorded_grade, 'ungraded') AS grade
      FROM staging.stg_lender__customers
    ),
    lcv AS (
      SELECT lv.loan_id,
        CASE WHEN cv.valid_from > lv.valid_from THEN cv.valid_from ELSE lv.valid_from END AS valid_from,
        CASE WHEN cv.valid_to IS NOT NULL AND cv.valid_to < lv.valid_to THEN cv.valid_to ELSE lv.valid_to END AS valid_to,
        lv.customer_id, lv.branch_id,
        ${r(asEnum('lv.product_id', PRODUCT_ENUM))} AS product_id,
        ${r(asEnum("coalesce(cv.customer_type, 'unknown')", CUSTOMER_TYPE_ENUM))} AS customer_type,
        ${r(asEnum("coalesce(cv.grade, 'ungraded')", GRADE_ENUM))} AS grade,
        ${r(asEnum('lv.currency', CURRENCY_ENUM))} AS currency,
        lv.principal, lv.disbursed_on, CAST(last_day(lv.disbursed_on) AS DATE) AS cohort_month,
        lv.is_restructured, lv.restructured_on,
        coalesce(lv.repayment_method IN ('equal_instalment', 'equal_principal'), false) AS is_amortising,
        ${r(observationEndSql('lv.restructured_on', floor))} AS observation_end
      FROM lv
      LEFT JOIN cv ON cv.customer_id = lv.customer_id AND cv.valid_from < lv.valid_to AND lv.valid_from < cv.valid_to
    ),
    c AS (
      SELECT w.*, lcv.customer_id, lcv.branch_id, lcv.product_id, lcv.customer_type, lcv.grade, lcv.currency,
        lcv.principal, lcv.disbursed_on, lcv.cohort_month, lcv.is_restructured, lcv.restructured_on,
        lcv.is_amortising, lcv.observation_end
      FROM w JOIN lcv ON lcv.loan_id = w.loan_id AND w.as_of_month >= lcv.valid_from AND w.as_of_month < lcv.valid_to
    ),
    -- Conversion to CNY, once: at the rate dated the snapshot's date (the previous balance at its own
    -- snapshot's rate). CNY loans keep their amounts; a loan without its rate gets NULL CNY amounts.
    fx AS (
      SELECT as_of_date, currency, CAST(cny_per_unit AS DECIMAL(18,10)) AS rate FROM staging.stg_lender__fx_rates
    ),
    x AS (
      SELECT c.*,
        CASE WHEN c.currency = '${r(REPORTING_CURRENCY)}' THEN CAST(1 AS DECIMAL(18,10)) ELSE cur.rate END AS fx_rate,
        CASE WHEN c.currency <> '${r(REPORTING_CURRENCY)}' THEN cur.as_of_date END AS fx_rate_date,
        CASE WHEN c.currency = '${r(REPORTING_CURRENCY)}' THEN CAST(1 AS DECIMAL(18,10)) ELSE prv.rate END AS prev_fx_rate
      FROM c
      LEFT JOIN fx cur ON c.currency <> '${r(REPORTING_CURRENCY)}' AND cur.currency = CAST(c.currency AS VARCHAR) AND cur.as_of_date = c.snapshot_date
      LEFT JOIN fx prv ON c.currency <> '${r(REPORTING_CURRENCY)}' AND prv.currency = CAST(c.currency AS VARCHAR) AND prv.as_of_date = c.lag_snapshot_date
    ),
    f AS (
      SELECT x.*,
        ${r(inObs)} AS in_observation_period,
        ${r(dpdFloorRankSql('x.days_past_due', floor))} AS dpd_floor_rank,
        (x.is_on_book AND x.recorded_class_rank >= 3) AS is_npl,
        CASE WHEN x.lag_month = x.prev_month_end THEN x.lag_is_npl END AS prev_is_npl
      FROM x
    ),
    g AS (
      SELECT f.*, ${r(restructuredRankFromFlagSql('f.in_observation_period', floor))} AS restructured_floor_rank FROM f
    )
    SELECT g.as_of_month, g.loan_id, g.customer_id, g.branch_id, g.product_id, g.customer_type, g.grade, g.currency,
      g.fx_rate, g.fx_rate_date,
      ${r(cny('g.principal'))} AS principal, g.disbursed_on, g.cohort_month,
      CAST(date_diff('month', date_trunc('month', g.disbursed_on), date_trunc('month', g.as_of_month)) AS INTEGER) AS months_on_book,
      g.snapshot_date, g.loan_status, g.is_on_book, ${r(cny('g.outstanding_principal'))} AS outstanding_principal,
      ${r(cny('g.on_book_balance'))} AS on_book_balance, ${r(cny('g.overdue_principal'))} AS overdue_principal,
      ${r(cny('CASE WHEN g.is_on_book THEN g.provision_amount ELSE CAST(0 AS DECIMAL(18,2)) END'))} AS provision_amount,
      g.days_past_due, g.delinquency_bucket, g.recorded_class, g.recorded_class_rank,
      ${r(asEnum(classNameSql('greatest(g.dpd_floor_rank, g.restructured_floor_rank)'), FIVE_CLASS_ENUM))} AS floor_class,
      CAST(greatest(g.dpd_floor_rank, g.restructured_floor_rank) AS TINYINT) AS floor_class_rank,
      ${r(asEnum(floorRuleFromRanksSql('g.days_past_due', 'g.dpd_floor_rank', 'g.restructured_floor_rank', floor), floorRuleEnum(floor)))} AS floor_rule,
      g.is_restructured, g.restructured_on, g.in_observation_period, g.is_amortising,
      g.is_npl,
      (g.is_on_book AND g.days_past_due > 0) AS is_overdue,
      (g.is_on_book AND g.days_past_due > 90) AS is_dpd90,
      (g.is_on_book AND g.recorded_class_rank < greatest(g.dpd_floor_rank, g.restructured_floor_rank)) AS is_under_classified,
      (g.recorded_class_rank >= ${r(String(defaultRank))} OR g.days_past_due > ${r(String(Math.trunc(mv.defaultDpdOver)))}
        ${r(mv.writtenOffIsDefault ? "OR g.loan_status = 'written_off'" : '')}) AS is_in_default,
      g.prev_is_npl,
      CASE WHEN g.lag_month = g.prev_month_end THEN ${r(cny('g.lag_balance', 'g.prev_fx_rate'))} END AS prev_balance,
      -- Unknown (NULL) when the previous month is not reported (first month loaded, or a gap): never invent "new".
      CASE WHEN g.has_prev_month THEN (g.is_npl AND NOT coalesce(g.prev_is_npl, false)) END AS is_new_npl,
      CASE WHEN NOT g.is_on_book OR NOT g.has_next_month THEN NULL
           WHEN g.lead_month = g.next_month_end THEN g.lead_bucket ELSE ${r(asEnum("'closed'", BUCKET_ENUM))} END AS next_bucket,
      (g.is_on_book AND g.has_next_month AND g.lead_month IS DISTINCT FROM g.next_month_end) AS next_snapshot_missing,
      g.principal AS orig_principal, g.outstanding_principal AS orig_outstanding_principal, g.overdue_principal AS orig_overdue_principal,
      CASE WHEN g.is_on_book THEN g.provision_amount ELSE CAST(0 AS DECIMAL(18,2)) END AS orig_provision_amount
    FROM g
    ${sinceSql(since, { column: 'g.as_of_month', keyword: 'WHERE' })}`;
  },
});
