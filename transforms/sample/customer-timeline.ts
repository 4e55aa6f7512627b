import type { SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';

/**
 * SQL creating table `cust2`: `cust` plus each customer's record history over the window,
 * derived after the loan simulation so that it follows the loans:
 *
 * - `cf90_on`: the date the customer's first loan passed 90 days past due (NULL if none);
 * - `dg_m`/`dg_on`: downgrade to C the month after that (85% of such customers, and only when
 *   the grade was not already C);
 * - `rv_m`/`rv_on`/`rv_grade`: the annual review within 12 months of the window start (or of
 *   onboarding) re-grades from the true grade with fresh noise; kept only when the grade changes;
 * - `close_m`/`close_on`: the relationship closes in the churn month if no loan is still active
 *   at its end (delinquent borrowers cannot leave).
 *
 * Requires tables `cust` and `panel`. A customer row appears in the customers extract in its
 * first month and in every month with a change (`onb_m`, `dg_m`, `rv_m`, `close_m`).
 *
 * @example
 * await wh.exec(customerTimelineSql(sampleCalendar('2024-11', 24)));
 */
export function customerTimelineSql(calendar: SampleCalendar): string {
  const f = calendar.first;
  const l = calendar.last;
  return `
CREATE OR REPLACE TABLE cust2 AS
WITH f90 AS (
  SELECT ci, min(f90_on) AS cf90_on FROM panel WHERE f90_on IS NOT NULL GROUP BY ci
), still_active AS (
  SELECT DISTINCT p.ci FROM panel p JOIN cust c ON c.ci = p.ci AND p.m = c.churn_m WHERE p.st = 0
), a AS (
  SELECT c.*, f90.cf90_on,
    CASE WHEN c.churn_m IS NOT NULL AND sa.ci IS NULL THEN c.churn_m END AS close_m,
    CASE WHEN f90.cf90_on IS NOT NULL AND rnd(c.ci, 0, 300) < ${MODEL.downgradeAfterDefault}
         AND mof(f90.cf90_on) + 1 <= ${l} THEN (mof(f90.cf90_on) + 1)::INTEGER END AS dg_cand,
    (greatest(${f + 1}, c.onb_m + 1) + floor(rnd(c.ci, 0, 301) * 12))::INTEGER AS rv_cand,
    CASE WHEN rnd(c.ci, 0, 302) < ${MODEL.gradeNoise} THEN floor(rnd(c.ci, 0, 303) * 3) ELSE c.tg END::TINYINT AS rv_grade
  FROM cust c LEFT JOIN f90 ON f90.ci = c.ci LEFT JOIN still_active sa ON sa.ci = c.ci
), b AS (
  -- the review happens before any downgrade and before closing, and only if it changes the grade
  SELECT *,
    CASE WHEN rv_cand <= ${l} AND (dg_cand IS NULL OR rv_cand < dg_cand) AND (close_m IS NULL OR rv_cand < close_m)
          AND rv_grade IS DISTINCT FROM g0 THEN rv_cand END AS rv_m
  FROM a
), c AS (
  SELECT *,
    CASE WHEN dg_cand IS NOT NULL AND (close_m IS NULL OR dg_cand < close_m)
          AND (CASE WHEN rv_m < dg_cand THEN rv_grade ELSE g0 END) IS DISTINCT FROM 2 THEN dg_cand END AS dg_m
  FROM b
)
SELECT ci, ctype, tg, g0, g0_on, bi, area_bi, is_new, first_dmi, onb_on, onb_m, churn_m, birth, cf90_on,
  close_m, CASE WHEN close_m IS NOT NULL THEN mday(close_m, 1 + floor(rnd(ci, 0, 304) * 31)::INTEGER) END AS close_on,
  rv_m, rv_grade, CASE WHEN rv_m IS NOT NULL THEN mday(rv_m, 1 + floor(rnd(ci, 0, 305) * 28)::INTEGER) END AS rv_on,
  dg_m, CASE WHEN dg_m IS NOT NULL THEN mday(dg_m, 1 + floor(rnd(ci, 0, 306) * 28)::INTEGER) END AS dg_on
FROM c
ORDER BY ci;
`;
}
