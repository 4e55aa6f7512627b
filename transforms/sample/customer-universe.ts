import type { SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';
import { SAMPLE_BRANCHES } from './reference-data.js';
import { weightedPick } from './sql-text.js';

/** Size of the sample: customers and calendar. */
export interface SampleShape {
  readonly customers: number;
  readonly calendar: SampleCalendar;
}

/**
 * Number of customers already on book at the first business date; customers numbered
 * above it are onboarded month by month over the window.
 *
 * @example
 * existingCustomers(1000, 24); // 713
 */
export function existingCustomers(customers: number, months: number): number {
  const newShare = Math.min(MODEL.newCustomers.cap, MODEL.newCustomers.perMonth * (months - 1));
  return customers - Math.round(customers * newShare);
}

/**
 * SQL creating table `cust`: one row per customer with its hidden attributes — type, true risk
 * grade, recorded initial grade, branch, onboarding, first-loan month and day, churn month and
 * (for individuals) birth date. Customer `ci` is numbered 1..N in onboarding order.
 *
 * Columns: ci, ctype (0 individual, 1 small_business), tg (true grade 0=A 1=B 2=C), g0 (recorded
 * initial grade or NULL), g0_on, bi (branch index), is_new, first_dmi, d0, onb_on, onb_m, churn_m,
 * birth, area_bi (branch whose area code the ID number carries).
 *
 * @example
 * await wh.exec(customerUniverseSql({ customers: 200, calendar: sampleCalendar('2024-11', 4) }));
 */
export function customerUniverseSql(shape: SampleShape): string {
  const { customers: n, calendar } = shape;
  const f = calendar.first;
  const l = calendar.last;
  const months = l - f + 1;
  const n0 = existingCustomers(n, months);
  const nNew = n - n0;
  const branchPick = (u: string) =>
    weightedPick(
      u,
      SAMPLE_BRANCHES.map((b, i) => [String(i), b.weight] as const),
    );
  const { A, B } = MODEL.gradeShares;
  const lnKeep = Math.log(1 - MODEL.churnRate);
  return `
CREATE OR REPLACE TABLE cust AS
WITH base AS (
  SELECT ci,
    rnd(ci, 0, 1) AS u_type, rnd(ci, 0, 2) AS u_risk, rnd(ci, 0, 3) AS u_noise, rnd(ci, 0, 4) AS u_rgrade,
    rnd(ci, 0, 5) AS u_ungraded, rnd(ci, 0, 6) AS u_branch, rnd(ci, 0, 7) AS u_churn, rnd(ci, 0, 8) AS u_first,
    rnd(ci, 0, 9) AS u_day, rnd(ci, 0, 10) AS u_onb, rnd(ci, 0, 11) AS u_onb2, rnd(ci, 0, 12) AS u_area,
    rnd(ci, 0, 13) AS u_area_b, rnd(ci, 0, 14) AS u_graded,
    ci > ${n0} AS is_new
  FROM range(1, ${n + 1}) t(ci)
), a AS (
  SELECT *,
    CASE WHEN u_type < ${MODEL.smallBusinessShare} THEN 1 ELSE 0 END::TINYINT AS ctype,
    CASE WHEN u_risk < ${A} THEN 0 WHEN u_risk < ${A + B} THEN 1 ELSE 2 END::TINYINT AS tg,
    (${branchPick('u_branch')})::TINYINT AS bi,
    CASE WHEN u_area < 0.85 THEN (${branchPick('u_branch')}) ELSE (${branchPick('u_area_b')}) END::TINYINT AS area_bi,
    (CASE WHEN is_new THEN ${f + 1} + ((ci - ${n0 + 1}) * ${Math.max(months - 1, 0)}) // ${Math.max(nNew, 1)}
          ELSE ${f} - floor(u_first * ${MODEL.existingBookMonths}) END)::INTEGER AS first_dmi,
    (1 + floor(u_day * 27))::INTEGER AS d0,
    -- birth dates spread over 16000 days with a bijection on ci % 16000 (keeps ID numbers unique)
    (mstart(${f - MODEL.existingBookMonths}) - INTERVAL 65 YEAR)::DATE + (((ci % 16000) * 7919 + 1234) % 16000)::INTEGER AS birth
  FROM base
), b AS (
  SELECT *,
    CASE WHEN is_new THEN mday(first_dmi, d0 - floor(u_onb * d0)::INTEGER)
         ELSE greatest(
           CASE WHEN ctype = 0 THEN (birth + INTERVAL 18 YEAR)::DATE ELSE DATE '2005-01-04' END,
           mday(first_dmi, d0) - (CASE WHEN u_onb < 0.4 THEN floor(u_onb2 * 11) ELSE floor(u_onb2 * 3650) END)::INTEGER)
    END AS onb_on,
    CASE WHEN u_ungraded < ${MODEL.ungradedShare} THEN NULL
         WHEN u_noise < ${MODEL.gradeNoise} THEN floor(u_rgrade * 3)
         ELSE tg END::TINYINT AS g0
  FROM a
)
SELECT ci, ctype, tg, g0,
  CASE WHEN g0 IS NULL THEN NULL
       WHEN is_new THEN onb_on
       ELSE greatest(onb_on, mend(${f}) - floor(u_graded * 365)::INTEGER) END AS g0_on,
  bi, area_bi, is_new, first_dmi, d0, onb_on, mof(onb_on)::INTEGER AS onb_m,
  CASE WHEN ch <= ${l} THEN ch END::INTEGER AS churn_m,
  birth
FROM (
  SELECT *, (CASE WHEN is_new THEN mof(onb_on) + 1 ELSE ${f + 1} END
             + floor(ln(1.0 - u_churn) / ${lnKeep}))::BIGINT AS ch
  FROM b
)
ORDER BY ci;
`;
}
