import { monthEnd, type SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';
import type { SqlRunner } from './sql-macros.js';
import { sqlNumberList } from './sql-text.js';

/**
 * Actions of the month-by-month loan state machine, as stored in `cur.act`.
 *
 * | code | action      | instalments paid this month                     |
 * |------|-------------|-------------------------------------------------|
 * | 0    | new         | none (disbursed this month)                     |
 * | 1    | pay         | the instalment(s) due                           |
 * | 2    | miss / roll | none                                            |
 * | 3    | cure        | all arrears and the instalment due              |
 * | 4    | hold        | the oldest unpaid instalment only (partial)     |
 * | 5    | prepay      | everything (full early repayment, or churn)     |
 * | 6    | write-off   | none; loan leaves the book (核销)                |
 * | 7    | restructure | none; unpaid instalments deferred to later months |
 * | 8    | transfer    | none; loan sold to an asset manager (转让), leaves the book |
 */
export const LOAN_ACTIONS = {
  new: 0,
  pay: 1,
  miss: 2,
  cure: 3,
  hold: 4,
  prepay: 5,
  writeOff: 6,
  restructure: 7,
  transfer: 8,
} as const;

/** Status codes stored in `panel.st`: 0 active, 1 settled, 2 written off, 3 transferred (转让) this month. */
export const LOAN_STATUSES = ['active', 'settled', 'written_off', 'transferred'] as const;

/** Columns of a simulated loan month (table `cur`): contract attributes carried along, then the state. */
const STATE_COLUMNS = `lk BIGINT, ci BIGINT, n SMALLINT, dmi INTEGER, dday TINYINT, haz DOUBLE, ppr DOUBLE, churn_m INTEGER,
  p DECIMAL(18,2), r DOUBLE, meth TINYINT, under BOOLEAN,
  paid0 SMALLINT, paid SMALLINT, off SMALLINT, act TINYINT, rs_m INTEGER, st TINYINT, dpd INTEGER, f90_on DATE`;

/** SQL creating the (empty) month and panel tables. */
function setupSql(): string {
  return `
CREATE OR REPLACE TABLE cur (${STATE_COLUMNS});
CREATE OR REPLACE TABLE panel (m INTEGER, lk BIGINT, ci BIGINT, st TINYINT, dpd INTEGER, f90_on DATE);
`;
}

/**
 * SQL of one month `m` of the state machine: from table `cur` (month m−1; its active loans) plus
 * the loans disbursed in m, computes table `nxt` (one row per loan on book in m). The
 * state of a loan is the number of instalments paid (`paid`), the months its schedule was
 * deferred by a restructuring (`off`), the restructuring month (`rs_m`) and the date it first
 * passed 90 days past due (`f90_on`). Instalment k falls due on `due_on(dmi, dday, k + off)`.
 *
 * @example
 * await wh.exec(simulationStepSql(24298));
 */
export function simulationStepSql(m: number): string {
  const cure = sqlNumberList(MODEL.cure);
  const hold = sqlNumberList(MODEL.hold);
  const A = LOAN_ACTIONS;
  return `
CREATE OR REPLACE TABLE nxt AS
WITH x AS (
  SELECT lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under, paid, off, rs_m, f90_on, FALSE AS is_new
  FROM cur WHERE st = 0
  UNION ALL
  SELECT lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under, 0, 0, NULL, NULL, TRUE FROM loan WHERE dmi = ${m}
), y0 AS (
  SELECT lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under,
    paid AS paid0, off AS off0, rs_m AS rs0, f90_on AS f90_0, is_new,
    greatest(0, least(n, ${m - 1} - dmi - off)) AS due_prev,
    greatest(0, least(n, ${m} - dmi - off)) AS due_now,
    rnd(lk, ${m}, 200) AS u
  FROM x
), y AS (
  SELECT *, due_prev - paid0 AS miss0,
    CASE WHEN due_prev > paid0 THEN DATE '${monthEnd(m - 1)}' - due_on(dmi, dday, paid0 + 1 + off0) ELSE 0 END AS dpd0
  FROM y0
), z AS (
  SELECT *, CASE
    WHEN is_new THEN ${A.new}
    WHEN miss0 = 0 THEN CASE
      WHEN paid0 < n AND (churn_m = ${m} OR rnd(lk, ${m}, 201) < ppr) THEN ${A.prepay}
      WHEN due_now > paid0
        AND u < haz * (CASE WHEN rs0 IS NULL THEN 1 ELSE ${MODEL.restructuredMissMultiplier} END) THEN ${A.miss}
      ELSE ${A.pay} END
    WHEN dpd0 > ${MODEL.transfer.minDpd} AND ${(MODEL.transfer.months as readonly number[]).includes((m % 12) + 1) ? 'TRUE' : 'FALSE'}
      AND rnd(lk, ${m}, 203) < ${MODEL.transfer.rate} THEN ${A.transfer}
    WHEN dpd0 > 360 AND rnd(lk, ${m}, 202) < ${MODEL.writeOffRate} THEN ${A.writeOff}
    WHEN rs0 IS NULL AND miss0 BETWEEN 2 AND 4 AND rnd(lk, ${m}, 202) < ${MODEL.restructureRate}
      AND n + ${m} - dmi - paid0 <= 360 THEN ${A.restructure}
    WHEN u < ${cure}[least(miss0, 4)] THEN ${A.cure}
    WHEN u < ${cure}[least(miss0, 4)] + ${hold}[least(miss0, 4)] THEN ${A.hold}
    ELSE ${A.miss} END AS act
  FROM y
), w AS (
  SELECT *,
    CASE act WHEN ${A.prepay} THEN n WHEN ${A.pay} THEN due_now WHEN ${A.cure} THEN due_now
             WHEN ${A.hold} THEN paid0 + 1 ELSE paid0 END AS paid,
    CASE act WHEN ${A.restructure} THEN ${m} - dmi - paid0 ELSE off0 END AS off
  FROM z
), v AS (
  SELECT *,
    CASE WHEN greatest(0, least(n, ${m} - dmi - off)) > paid
         THEN DATE '${monthEnd(m)}' - due_on(dmi, dday, paid + 1 + off) ELSE 0 END AS dpd
  FROM w
)
SELECT lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under, paid0::SMALLINT AS paid0, paid::SMALLINT AS paid, off::SMALLINT AS off, act::TINYINT AS act,
  (CASE WHEN act = ${A.restructure} THEN ${m} ELSE rs0 END)::INTEGER AS rs_m,
  (CASE WHEN act = ${A.writeOff} THEN 2 WHEN act = ${A.transfer} THEN 3 WHEN paid >= n THEN 1 ELSE 0 END)::TINYINT AS st,
  dpd::INTEGER AS dpd,
  coalesce(f90_0, CASE WHEN dpd > 90 THEN due_on(dmi, dday, paid + 1 + off) + 91 END) AS f90_on
FROM v;
`;
}

/**
 * Runs the loan state machine over `MODEL.simulatedHistoryMonths` months of history and the business
 * months (loans disbursed before the history starts enter it current). For every business month, table `cur` holds that month's loan states
 * (columns: lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under, paid0, paid, off, act,
 * rs_m, st, dpd, f90_on) while `onBusinessMonth(m)` runs — the caller writes the loan-level files
 * from it — and a slim copy is appended to table `panel` (m, lk, ci, st, dpd, f90_on) for the
 * customer-level derivations. Requires table `loan` and the generator macros.
 *
 * @example
 * await simulateLoans(wh, sampleCalendar('2024-11', 24), async (m) => writeLoanFiles(m));
 */
export async function simulateLoans(
  runner: SqlRunner,
  calendar: SampleCalendar,
  onBusinessMonth: (month: number) => Promise<void> = async () => {},
): Promise<void> {
  const start = calendar.first - MODEL.simulatedHistoryMonths + 1;
  await runner.exec(`${setupSql()}
INSERT INTO cur
  SELECT lk, ci, n, dmi, dday, haz, ppr, churn_m, p, r, meth, under, k, k, 0, ${LOAN_ACTIONS.pay}, NULL, 0, 0, NULL
  FROM (SELECT *, ${start - 1} - dmi AS k FROM loan WHERE dmi < ${start}) WHERE k < n;`);
  for (let m = start; m <= calendar.last; m++) {
    await runner.exec(`${simulationStepSql(m)}
DROP TABLE cur;
ALTER TABLE nxt RENAME TO cur;`);
    if (m >= calendar.first) {
      await onBusinessMonth(m);
      await runner.exec(`INSERT INTO panel SELECT ${m} AS m, lk, ci, st, dpd, f90_on FROM cur;`);
    }
  }
  await runner.exec('DROP TABLE cur;');
}
