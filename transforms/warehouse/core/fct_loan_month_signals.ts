import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

/** Largest delay (days after the due date) that still counts as a small delay. */
export const SMALL_DELAY_MAX_DAYS = 30;

/**
 * Months of instalments a month end looks back at for late_instalments_in_a_row (monthly instalments:
 * at most 4 counted: enough for "two or more in a row"). A month-incremental night reads only the instalments due in that window before
 * the first month it builds; a full build computes every month's window the same way.
 */
export const LATE_INSTALMENTS_WINDOW_MONTHS = 4;

export default defineModel({
  name: 'fct_loan_month_signals',
  layer: 'core',
  grain: 'one row per on-book loan per reporting month end',
  primaryKey: ['as_of_month', 'loan_id'],
  description:
    "The post-loan signals of every on-book loan at each month end: the vocabulary the warning rules of policy/warning-rules.yaml are written in (docs/monitoring.md). Each signal of the previous month is read at the previous reporting month end (prev_month_end of core.dim_months when that month is reported; NULL when it is not, or the loan had no snapshot then). Payment delays come from the repayment schedule (the latest version delivered by the month end of the due date) and the repayments: an instalment is settled on the value date its payments reach the amount due; late_instalments_in_a_row counts back from the latest instalment due by the month end over instalments settled 1 to 30 days after their due date and settled by the month end, and stops at one settled on time, later than 30 days, or not settled by the month end. Customer signals (PD, recorded grade, an open other-bank-overdue warning, failed or overdue verifications) apply to every loan of the customer. Month-incremental.",
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    prev_days_past_due: 'Days past due at the previous reporting month end (NULL: not reported, or no snapshot then).',
    late_instalments_in_a_row: 'Of the instalments due in the 4 months up to the month end, the latest ones in a row settled 1 to 30 days after their due date and by the month end (0: the latest was on time, later, or is unsettled, or none is due). An instalment is settled on the date of the last payment allocated to it (made from 4 months before its due date on) once the payments cover the amount due; instalments counted in instalment-number order.',
    pd: "The customer's latest usable PD at the month end (core.fct_customer_month_ends.pd).",
    prev_pd: 'The same at the previous reporting month end.',
    grade_rank: "The customer's recorded grade as a rank: 1 A, 2 B, 3 C (NULL: not graded).",
    prev_grade_rank: 'The same at the previous reporting month end.',
    other_bank_overdue: 'An early warning of signal overdue_other_bank about the customer (or this loan) is open at the month end: delivered and raised by it, not closed by it.',
    open_source_warnings: "Early warnings of the source system about the customer (customer-level) or this loan open at the month end: delivered and raised by it, not closed by it. The backtest's 'source system' row flags loans where it is above 0.",
    failed_verifications: "The customer's verification checks whose state at the month end is result fail, completed in the month.",
    overdue_verifications: "The customer's verification checks still pending at the month end and submitted more than the SLA hours (policy/kpi-rules.yaml verification.sla_hours) before its end.",
    balance: 'Outstanding principal at the month end, CNY (outstanding_principal).',
    prev_balance: 'Outstanding principal at the previous reporting month end, CNY.',
    prev_in_observation_period: 'Inside the restructuring observation period at the previous reporting month end.',
  },
  tests: [
    { kind: 'expression', name: 'late_instalments_not_negative', sql: 'late_instalments_in_a_row >= 0' },
    { kind: 'relationships', column: 'loan_id', to: 'core.dim_loans', field: 'loan_id' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    const sla = Math.trunc(activeRules().kpi.verification.slaHours);
    // Months built: all, or since onwards; the previous month of the first one is read for prev_*.
    const months = since ? `WHERE as_of_month >= DATE '${since}'` : '';
    // Instalments due after this date are all the windows of the months built need.
    const window = since ? `last_day(DATE '${since}' - INTERVAL '${LATE_INSTALMENTS_WINDOW_MONTHS} month')` : '';
    return sql`
    WITH m AS (
      SELECT as_of_month, CASE WHEN has_prev_month THEN prev_month_end END AS prev_month FROM core.dim_months ${sql.raw(months)}
    ),
    l AS (
      SELECT f.as_of_month, m.prev_month, f.loan_id, f.customer_id, f.branch_id, f.product_id, f.days_past_due, f.outstanding_principal AS balance,
        f.in_observation_period, f.is_amortising, f.recorded_class_rank, f.is_npl, f.months_on_book
      FROM core.fct_loan_month_ends f JOIN m USING (as_of_month)
      WHERE f.is_on_book
    ),
    prev AS (
      SELECT p.as_of_month AS prev_month, p.loan_id, p.days_past_due, p.outstanding_principal AS balance, p.in_observation_period
      FROM core.fct_loan_month_ends p
      WHERE p.as_of_month IN (SELECT prev_month FROM m)
    ),
    cust AS (
      SELECT as_of_month, customer_id, pd, CASE recorded_grade WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 END AS grade_rank
      FROM core.fct_customer_month_ends
      WHERE as_of_month IN (SELECT as_of_month FROM m UNION ALL SELECT prev_month FROM m)
    ),
    -- Instalments due in the window of a month built: the latest schedule version delivered by the month
    -- end of its due date; settled on the date of the last payment allocated to it once the payments
    -- cover the amount due.
    sched AS (
      SELECT loan_id, instalment_no, arg_max(due_on, business_date) AS due_on, arg_max(principal_due + interest_due, business_date) AS due
      FROM staging.stg_lender__repayment_schedules
      WHERE business_date <= last_day(due_on) AND due_on <= (SELECT max(as_of_month) FROM m)
        ${sql.raw(window ? `AND due_on > ${window}` : '')}
      GROUP BY loan_id, instalment_no
      ${sql.raw(window ? `HAVING arg_max(due_on, business_date) > ${window}` : '')}
    ),
    paid AS (
      -- Payments made from 4 months before the due date on (a prepayment earlier than that is not
      -- read): a night then reads only the recent payments, and a full build reads the same ones.
      SELECT r.loan_id, r.instalment_no, max(r.paid_on) AS last_paid_on, sum(r.principal_paid + r.interest_paid) AS paid
      FROM staging.stg_lender__repayments r JOIN sched s ON s.loan_id = r.loan_id AND s.instalment_no = r.instalment_no
      WHERE r.paid_on > CAST(s.due_on - INTERVAL '${sql.raw(String(LATE_INSTALMENTS_WINDOW_MONTHS))} month' AS DATE) AND r.paid_on <= (SELECT max(as_of_month) FROM m)
        ${sql.raw(window ? `AND r.paid_on > CAST(${window} - INTERVAL '${LATE_INSTALMENTS_WINDOW_MONTHS + 1} month' AS DATE)` : '')}
      GROUP BY r.loan_id, r.instalment_no
    ),
    inst AS (
      SELECT s.loan_id, s.instalment_no, s.due_on, CASE WHEN p.paid >= s.due THEN p.last_paid_on END AS settled_on
      FROM sched s LEFT JOIN paid p USING (loan_id, instalment_no)
    ),
    streaks AS (
      -- Instalments in the window are consecutive instalment numbers: the leading small delays are the
      -- numbers above the latest one that was not a small delay (all of them when there is none).
      SELECT as_of_month, loan_id, max(instalment_no) - coalesce(max(instalment_no) FILTER (WHERE NOT small), max(instalment_no) - count(*)) AS streak
      FROM (
        SELECT m.as_of_month, i.loan_id, i.instalment_no,
          coalesce(i.settled_on <= m.as_of_month AND date_diff('day', i.due_on, i.settled_on) BETWEEN 1 AND ${sql.raw(String(SMALL_DELAY_MAX_DAYS))}, false) AS small
        FROM inst i JOIN m ON i.due_on <= m.as_of_month AND i.due_on > last_day(m.as_of_month - INTERVAL '${sql.raw(String(LATE_INSTALMENTS_WINDOW_MONTHS))} month')
      ) AS dues
      GROUP BY as_of_month, loan_id
    ),
    -- The warning and verification counts read coordinator tables and are joined twice: computed
    -- once (MATERIALIZED) and shipped to the shards. On Citus, inlined into the distributed
    -- statement, the second use of openw came back empty (open_source_warnings was wrong).
    openw AS MATERIALIZED (
      SELECT m.as_of_month, w.customer_id, w.loan_id, count(*) AS open_warnings, bool_or(w.signal_type = 'overdue_other_bank') AS other_bank
      FROM core.fct_warnings w JOIN m
        ON w.valid_from <= m.as_of_month AND (w.valid_to IS NULL OR w.valid_to > m.as_of_month)
       AND w.raised_on <= m.as_of_month AND (w.closed_at IS NULL OR CAST(w.closed_at AS DATE) > m.as_of_month)
      GROUP BY m.as_of_month, w.customer_id, w.loan_id
    ),
    ver AS MATERIALIZED (
      SELECT m.as_of_month, v.customer_id,
        count(*) FILTER (WHERE v.result = 'fail' AND last_day(CAST(v.verified_at AS DATE)) = m.as_of_month) AS failed,
        count(*) FILTER (WHERE v.verified_at IS NULL AND v.submitted_at + INTERVAL '${sql.raw(String(sla))} hour' < CAST(m.as_of_month + INTERVAL '1 day' AS TIMESTAMP)) AS overdue
      FROM core.fct_verifications v JOIN m ON v.valid_from <= m.as_of_month AND (v.valid_to IS NULL OR v.valid_to > m.as_of_month)
      GROUP BY m.as_of_month, v.customer_id
    )
    SELECT l.as_of_month, l.loan_id, l.customer_id, l.branch_id, l.product_id,
      l.days_past_due, p.days_past_due AS prev_days_past_due,
      CAST(coalesce(s.streak, 0) AS INTEGER) AS late_instalments_in_a_row,
      c.pd, cp.pd AS prev_pd, c.grade_rank, cp.grade_rank AS prev_grade_rank,
      coalesce(wc.other_bank, false) OR coalesce(wl.other_bank, false) AS other_bank_overdue,
      CAST(coalesce(wc.open_warnings, 0) + coalesce(wl.open_warnings, 0) AS INTEGER) AS open_source_warnings,
      CAST(coalesce(v.failed, 0) AS INTEGER) AS failed_verifications, CAST(coalesce(v.overdue, 0) AS INTEGER) AS overdue_verifications,
      l.balance, p.balance AS prev_balance,
      l.is_amortising,
      l.in_observation_period, p.in_observation_period AS prev_in_observation_period,
      l.recorded_class_rank, l.is_npl, l.months_on_book
    FROM l
    LEFT JOIN prev p ON p.prev_month = l.prev_month AND p.loan_id = l.loan_id
    LEFT JOIN cust c ON c.as_of_month = l.as_of_month AND c.customer_id = l.customer_id
    LEFT JOIN cust cp ON cp.as_of_month = l.prev_month AND cp.customer_id = l.customer_id
    LEFT JOIN openw wc ON wc.as_of_month = l.as_of_month AND wc.customer_id = l.customer_id AND wc.loan_id IS NULL
    LEFT JOIN openw wl ON wl.as_of_month = l.as_of_month AND wl.customer_id = l.customer_id AND wl.loan_id = l.loan_id
    LEFT JOIN ver v ON v.as_of_month = l.as_of_month AND v.customer_id = l.customer_id
    LEFT JOIN streaks s ON s.as_of_month = l.as_of_month AND s.loan_id = l.loan_id`;
  },
});
