import { sql } from 'kysely';
import { REPORTING_CURRENCY } from '../../ingest/contract/index.js';
import { FIVE_CLASSES } from '../../policy/five-category.js';
import { MIGRATION_PERIODS, MIGRATION_TO_STATES, orderSql } from '../class-migration.js';
import { defineModel } from '../model.js';

const cnyCode = `'${REPORTING_CURRENCY}'`;

/**
 * A loan-currency amount of a loan on book at the period start → CNY at that snapshot's rate
 * (o.open_rate), rounded half away from zero to the fen like core.fct_loan_month_ends; CNY unchanged.
 *
 * @example
 * openCny('least(o.orig_open, l.orig_last)');
 * // CASE WHEN o.currency = 'CNY' THEN least(o.orig_open, l.orig_last)
 * //      ELSE CAST(round(CAST(least(o.orig_open, l.orig_last) AS DECIMAL(38,2)) * o.open_rate, 2) AS DECIMAL(18,2)) END
 */
function openCny(amount: string): string {
  return `CASE WHEN o.currency = ${cnyCode} THEN ${amount} ELSE CAST(round(CAST(${amount} AS DECIMAL(38,2)) * o.open_rate, 2) AS DECIMAL(18,2)) END`;
}

export default defineModel({
  name: 'mart_credit__class_migration_cube',
  layer: 'marts',
  grain: 'one row per period end month × period (month / ytd) × branch × product × from class × to class',
  primaryKey: ['as_of_month', 'period', 'branch_id', 'product_id', 'from_class', 'to_class'],
  description:
    "Loan classification migration (贷款迁徙) cube, additive at the branch × product grain (the migration-rate KPIs sum it; marts.mart_credit__class_migrations slices it). Cohort: loans on book at the period start (the previous month end for period 'month'; Dec 31 of the previous year for 'ytd'; only when that month end is a reporting month), by their recorded class then (from_class) and their state at the period end (to_class: the recorded class if on book, else settled / written_off / transferred = the status of the first off-book snapshot after the period start, else exited_unreported). Branch and product are the loan's at the period start. Every amount is in CNY at the period-start snapshot's rate (a foreign-currency loan's FX movement is neither a decrease nor a migration). decrease = principal the cohort lost during the period: for a loan still on book, its net principal reduction (period-start minus period-end outstanding, never negative); for a loan that left the book, its whole opening balance, split into the exit amount (the principal outstanding on its last on-book snapshot before the exit, at most the opening balance: written off, transferred or unreported) and the principal repaid before it (all of it for a settled loan). remaining_balance = opening_balance − decrease: the part of the opening balance still outstanding at the period end (for a loan that migrated and paid down: its period-end balance). Aggregated; no personal data.",
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    as_of_month: 'Period end (month end).',
    period: "'month' (since the previous month end) or 'ytd' (since Dec 31 of the previous year).",
    period_start: 'Month end the period starts at (the opening balances are as of it).',
    branch_id: 'Booking branch at the period start.',
    product_id: 'Product at the period start.',
    from_class: 'Recorded five-category class at the period start (正常 / 关注 / 次级 / 可疑 / 损失).',
    from_class_rank: '1 正常 … 5 损失.',
    to_class: 'Recorded class at the period end, or the exit: settled, written_off, transferred, exited_unreported.',
    to_class_rank: '1 … 5 for a class; NULL for an exit.',
    to_order: 'Display order of to_class (1 … 9).',
    is_worse: 'to_class is a class worse than from_class (向下迁徙).',
    is_exit: 'The loan left the book during the period.',
    loans: 'Loans.',
    opening_balance: 'Outstanding principal at the period start, CNY, DECIMAL.',
    decrease_repaid: 'Principal repaid (收回): the net reduction of a loan still on book, a settled loan\'s opening balance, the part of an exited loan\'s opening balance repaid before the exit.',
    decrease_written_off: 'Written off (核销): principal outstanding on the last on-book snapshot before the write-off, at most the opening balance.',
    decrease_transferred: 'Transferred or disposed of (转让): principal outstanding on the last on-book snapshot before the transfer, at most the opening balance.',
    decrease_unreported: 'Left the book without a closing record (no snapshot at the period end and no exit status): principal outstanding on its last on-book snapshot, at most the opening balance.',
    decrease: 'Decrease during the period (期间减少金额) = repaid + written off + transferred + unreported.',
    remaining_balance: 'opening_balance − decrease: the opening balance still outstanding at the period end.',
    migrated_balance: 'remaining_balance when is_worse (迁徙金额), else 0.',
    closing_balance: 'Outstanding principal at the period end of the loans still on book, CNY at the period-end rate (for reference; includes any new drawing).',
  },
  tests: [
    { kind: 'accepted_values', column: 'period', values: [...MIGRATION_PERIODS] },
    { kind: 'accepted_values', column: 'from_class', values: [...FIVE_CLASSES] },
    { kind: 'accepted_values', column: 'to_class', values: [...MIGRATION_TO_STATES] },
    { kind: 'expression', name: 'decrease_is_sum_of_components', sql: 'decrease = decrease_repaid + decrease_written_off + decrease_transferred + decrease_unreported' },
    { kind: 'expression', name: 'remaining_within_opening', sql: 'remaining_balance = opening_balance - decrease AND remaining_balance >= 0 AND decrease >= 0' },
    { kind: 'expression', name: 'exits_keep_nothing', sql: 'NOT is_exit OR remaining_balance = 0' },
  ],
  query: () => sql`
    WITH periods AS (
      SELECT as_of_month, 'month' AS period, prev_month_end AS period_start FROM core.dim_months WHERE has_prev_month
      UNION ALL
      SELECT m.as_of_month, 'ytd', y.as_of_month
      FROM core.dim_months m JOIN core.dim_months y ON y.as_of_month = CAST(make_date(year(m.as_of_month) - 1, 12, 31) AS DATE)
    ),
    -- Each loan's month-end rows in order: the first off-book month after each row, the row before it
    -- and the next row's month (one window over the loan facts; no ASOF join, so PostgreSQL/Citus run
    -- the same text as a hash join).
    lw AS (
      SELECT loan_id, as_of_month, is_on_book, CAST(loan_status AS VARCHAR) AS loan_status, orig_outstanding_principal,
        min(CASE WHEN NOT is_on_book THEN as_of_month END)
          OVER (PARTITION BY loan_id ORDER BY as_of_month ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_off_month,
        lag(orig_outstanding_principal) OVER (PARTITION BY loan_id ORDER BY as_of_month) AS prev_orig,
        lead(as_of_month) OVER (PARTITION BY loan_id ORDER BY as_of_month) AS next_row_month
      FROM core.fct_loan_month_ends
    ),
    -- The cohort: loans on book at the period start, with the first off-book month after it.
    o AS (
      SELECT p.as_of_month, p.period, p.period_start, f.loan_id, f.branch_id, CAST(f.product_id AS VARCHAR) AS product_id,
        CAST(f.currency AS VARCHAR) AS currency, f.fx_rate AS open_rate,
        CAST(f.recorded_class AS VARCHAR) AS from_class, f.recorded_class_rank AS from_class_rank,
        f.on_book_balance AS opening_balance, f.orig_outstanding_principal AS orig_open, w.next_off_month AS exit_month
      FROM periods p
      JOIN core.fct_loan_month_ends f ON f.as_of_month = p.period_start AND f.is_on_book
      JOIN lw w ON w.loan_id = f.loan_id AND w.as_of_month = f.as_of_month
    ),
    -- The exit (the first off-book snapshot after the period start) and the snapshot at the period end.
    s AS (
      SELECT o.*, x.loan_status AS exit_status, x.prev_orig AS orig_before_exit,
        e.is_on_book AS end_on_book, CAST(e.recorded_class AS VARCHAR) AS end_class, e.recorded_class_rank AS end_rank,
        CAST(e.currency AS VARCHAR) AS end_currency, e.orig_outstanding_principal AS orig_end, e.on_book_balance AS end_balance
      FROM o
      LEFT JOIN lw x ON x.loan_id = o.loan_id AND x.as_of_month = o.exit_month
      LEFT JOIN core.fct_loan_month_ends e ON e.loan_id = o.loan_id AND e.as_of_month = o.as_of_month
    ),
    t AS (
      SELECT s.*,
        CASE WHEN coalesce(end_on_book, false) THEN 'stay'
             WHEN exit_month <= as_of_month THEN 'exit' ELSE 'unreported' END AS fate
      FROM s
    ),
    -- A loan that vanished without an exit: its last snapshot up to the period end (on book, after the
    -- period start: no off-book snapshot came between).
    lastrow AS (
      SELECT t.as_of_month, t.period, t.loan_id, u.orig_outstanding_principal AS orig_last
      FROM t JOIN lw u ON u.loan_id = t.loan_id AND u.as_of_month >= t.period_start AND u.as_of_month <= t.as_of_month
        AND (u.next_row_month IS NULL OR u.next_row_month > t.as_of_month)
      WHERE t.fate = 'unreported'
    ),
    -- The principal on the last on-book snapshot before the exit: the snapshot just before the exit
    -- (every snapshot between the period start and the exit is on book).
    l AS (
      SELECT t.*, CASE t.fate WHEN 'exit' THEN t.orig_before_exit WHEN 'unreported' THEN r.orig_last END AS orig_last
      FROM t LEFT JOIN lastrow r ON r.as_of_month = t.as_of_month AND r.period = t.period AND r.loan_id = t.loan_id
    ),
    a AS (
      SELECT o.as_of_month, o.period, o.period_start, o.branch_id, o.product_id, o.from_class, o.from_class_rank,
        CASE o.fate WHEN 'stay' THEN o.end_class WHEN 'exit' THEN o.exit_status ELSE 'exited_unreported' END AS to_class,
        CASE WHEN o.fate = 'stay' THEN o.end_rank END AS to_class_rank,
        o.opening_balance,
        CASE WHEN o.fate = 'stay' THEN o.end_balance END AS closing_balance,
        -- Still on book: net principal reduction, never negative (a new drawing is not a decrease).
        CASE WHEN o.fate <> 'stay' THEN NULL
             WHEN o.end_currency = o.currency THEN ${sql.raw(openCny('greatest(o.orig_open - o.orig_end, 0)'))}
             ELSE greatest(o.opening_balance - o.end_balance, 0) END AS stay_reduction,
        -- Left the book: the amount outstanding when it left, at most its opening balance.
        CASE WHEN o.fate <> 'stay' THEN ${sql.raw(openCny('least(o.orig_open, coalesce(o.orig_last, o.orig_open))'))} END AS exit_amount
      FROM l AS o
    ),
    d AS (
      SELECT *,
        CASE WHEN to_class_rank IS NOT NULL THEN stay_reduction
             WHEN to_class = 'settled' THEN opening_balance
             ELSE opening_balance - exit_amount END AS decrease_repaid,
        CASE WHEN to_class = 'written_off' THEN exit_amount ELSE 0 END AS decrease_written_off,
        CASE WHEN to_class = 'transferred' THEN exit_amount ELSE 0 END AS decrease_transferred,
        CASE WHEN to_class = 'exited_unreported' THEN exit_amount ELSE 0 END AS decrease_unreported
      FROM a
    )
    SELECT as_of_month, period, period_start, branch_id, product_id, from_class, from_class_rank, to_class, to_class_rank,
      ${sql.raw(orderSql('to_class', MIGRATION_TO_STATES))} AS to_order,
      coalesce(to_class_rank > from_class_rank, false) AS is_worse,
      to_class_rank IS NULL AS is_exit,
      count(*) AS loans,
      CAST(sum(opening_balance) AS DECIMAL(38, 2)) AS opening_balance,
      CAST(sum(decrease_repaid) AS DECIMAL(38, 2)) AS decrease_repaid,
      CAST(sum(decrease_written_off) AS DECIMAL(38, 2)) AS decrease_written_off,
      CAST(sum(decrease_transferred) AS DECIMAL(38, 2)) AS decrease_transferred,
      CAST(sum(decrease_unreported) AS DECIMAL(38, 2)) AS decrease_unreported,
      CAST(sum(decrease_repaid + decrease_written_off + decrease_transferred + decrease_unreported) AS DECIMAL(38, 2)) AS decrease,
      CAST(sum(opening_balance - decrease_repaid - decrease_written_off - decrease_transferred - decrease_unreported) AS DECIMAL(38, 2)) AS remaining_balance,
      CAST(coalesce(sum(opening_balance - decrease_repaid) FILTER (WHERE to_class_rank > from_class_rank), 0) AS DECIMAL(38, 2)) AS migrated_balance,
      CAST(sum(closing_balance) AS DECIMAL(38, 2)) AS closing_balance
    FROM d
    GROUP BY as_of_month, period, period_start, branch_id, product_id, from_class, from_class_rank, to_class, to_class_rank`,
});
