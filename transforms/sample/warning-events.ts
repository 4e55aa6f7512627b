import type { SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';
import { quoteLiteral } from '../lib/duckdb.js';
import { weightedPick } from './sql-text.js';

const TRUE_SIGNALS: readonly (readonly [string, number])[] = [
  ['overdue_other_bank', 30],
  ['contact_lost', 15],
  ['income_drop', 15],
  ['credit_inquiries', 12],
  ['court_case', 10],
  ['tax_arrears', 6],
  ['industry_downturn', 6],
  ['collateral_value_drop', 6],
];

const FALSE_SIGNALS: readonly (readonly [string, number])[] = [
  ['credit_inquiries', 30],
  ['income_drop', 15],
  ['industry_downturn', 15],
  ['collateral_value_drop', 10],
  ['overdue_other_bank', 10],
  ['contact_lost', 10],
  ['court_case', 5],
  ['tax_arrears', 5],
];

/**
 * SQL creating table `warn`: every early warning of the window, with `rm` the month it is raised
 * (the business date whose file carries it — each warning appears exactly once).
 *
 * - Warnings that come true: for `MODEL.warningCoverage` (75%) of the loans that pass 90 days past
 *   due, a loan-specific warning whose signal is 30–120 days before that date;
 * - other warnings: each month `MODEL.falseWarningRate` of the customers with an active loan get one
 *   (half of them name a loan) — mostly false positives.
 *
 * `raised_at` is 0–3 days after `signal_on` (8% late: 4–20 days), during office hours; some warnings
 * are closed 3–25 days after being raised, shown only if that happens within the month they are
 * raised in (a warning is never re-sent).
 *
 * Columns: wid, ci, lk, signal_type, signal_on, raised_at, severity, closed_at, rm.
 *
 * @example
 * await wh.exec(warningEventsSql(sampleCalendar('2024-11', 24)));
 */
export function warningEventsSql(calendar: SampleCalendar): string {
  const pick = (signals: readonly (readonly [string, number])[]) =>
    weightedPick(
      'u_type',
      signals.map(([s, w]) => [quoteLiteral(s), w] as const),
    );
  return `
CREATE OR REPLACE TABLE warn AS
WITH tp AS (
  SELECT p.lk, min(p.f90_on) AS f90_on FROM panel p WHERE p.f90_on IS NOT NULL GROUP BY p.lk
), events AS (
  SELECT 'EWL' || lpad(tp.lk::VARCHAR, 10, '0') AS wid, l.ci, tp.lk, TRUE AS came_true, tp.lk AS k1, 0 AS k2,
    tp.f90_on - (30 + floor(rnd(tp.lk, 0, 400) * 91))::INTEGER AS signal_on, mday(l.dmi, l.dday) AS disbursed_on
  FROM tp JOIN loan l ON l.lk = tp.lk
  WHERE rnd(tp.lk, 0, 401) < ${MODEL.warningCoverage}
  UNION ALL
  SELECT 'EWC' || strftime(mstart(m), '%Y%m') || lpad(ci::VARCHAR, 9, '0'), ci,
    CASE WHEN rnd(ci, m, 411) < 0.5 THEN min(lk) END, FALSE, ci, m,
    mday(m, 1 + floor(rnd(ci, m, 412) * 31)::INTEGER), NULL::DATE
  FROM panel
  WHERE st = 0 AND rnd(ci, m, 410) < ${MODEL.falseWarningRate}
  GROUP BY m, ci
), drawn AS (
  SELECT *, rnd(k1, k2, 420) AS u_type, rnd(k1, k2, 421) AS u_late, rnd(k1, k2, 422) AS u_delay,
    rnd(k1, k2, 423) AS u_time, rnd(k1, k2, 424) AS u_sev, rnd(k1, k2, 425) AS u_close,
    rnd(k1, k2, 426) AS u_close_days, rnd(k1, k2, 427) AS u_close_time
  FROM events
  WHERE disbursed_on IS NULL OR signal_on > disbursed_on
), raised AS (
  SELECT *,
    CASE WHEN came_true THEN ${pick(TRUE_SIGNALS)} ELSE ${pick(FALSE_SIGNALS)} END AS signal_type,
    (signal_on + (CASE WHEN u_late < ${MODEL.lateWarningShare} THEN 4 + floor(u_delay * 17) ELSE floor(u_delay * 4) END)::INTEGER)::TIMESTAMP
      + to_seconds((28800 + floor(u_time * 43200))::BIGINT) AS raised_at,
    CASE WHEN came_true THEN (CASE WHEN u_sev < 0.5 THEN 'high' WHEN u_sev < 0.9 THEN 'medium' ELSE 'low' END)
         ELSE (CASE WHEN u_sev < 0.1 THEN 'high' WHEN u_sev < 0.5 THEN 'medium' ELSE 'low' END) END AS severity
  FROM drawn
), closed AS (
  SELECT *, mof(raised_at)::INTEGER AS rm,
    CASE WHEN u_close < (CASE WHEN came_true THEN 0.1 ELSE 0.4 END)
         THEN raised_at + to_days((3 + floor(u_close_days * 23))::INTEGER) + to_seconds(floor(u_close_time * 28800)::BIGINT) END AS close_cand
  FROM raised
)
SELECT wid, ci, lk, signal_type, signal_on, raised_at, severity,
  CASE WHEN close_cand::DATE <= mend(rm) THEN close_cand END AS closed_at, rm
FROM closed
WHERE rm BETWEEN ${calendar.first} AND ${calendar.last}
ORDER BY wid;
`;
}
