import type { SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';
import { quoteLiteral } from '../lib/duckdb.js';

/**
 * SQL creating table `cfu`: every credit-file update (授信档案更新) of the window, one row per
 * customer × element × update date, with `dm`, the month whose file delivers it.
 *
 * Per customer and element its type keeps (`MODEL.creditFile.cycles`; `neverShare` of them are
 * never delivered): a first update `a0` — for a customer on book before the window, the latest update
 * before the first business date, drawn within one cycle of it (so the first file carries the
 * latest update of every element); for a customer onboarded in the window, the onboarding date —
 * then one update per cycle: update k is a0 + k cycles + the running sum of each update's offset
 * (`earlyDays` early, or with probability `lateShare` `lateDays` late: a late update pushes the
 * ones after it back). Updates after the relationship closed, or after the last business date,
 * are dropped. An update is delivered in the file of its own month (the first file for those
 * before the window). Randomness is keyed by (customer, element, update number) only.
 *
 * Columns: ci, el, updated_on, dm.
 *
 * @example
 * await wh.exec(creditFileEventsSql(sampleCalendar('2024-11', 24)));
 */
export function creditFileEventsSql(calendar: SampleCalendar): string {
  const { first: f, last: l } = calendar;
  const months = l - f + 1;
  const c = MODEL.creditFile;
  const elements = [...new Set(c.cycles.map(([, e]) => e))];
  const req = c.cycles.map(([t, e, m]) => `(${t}, ${quoteLiteral(e)}, ${elements.indexOf(e)}, ${m})`).join(', ');
  const [lateMin, lateMax] = c.lateDays;
  const [earlyMin, earlyMax] = c.earlyDays;
  return `
CREATE OR REPLACE TABLE cfu AS
WITH req(ctype, el, ei, cyc) AS (VALUES ${req}),
base AS (
  SELECT x.ci, x.close_on, r.el, r.ei, r.cyc,
    CASE WHEN x.onb_m < ${f}
         THEN greatest(x.onb_on, mend(${f}) - floor(rnd(x.ci, r.ei, 1101) * r.cyc * 30)::INTEGER)
         ELSE x.onb_on END AS a0
  FROM cust2 x JOIN req r ON r.ctype = x.ctype
  WHERE x.onb_m <= ${l} AND rnd(x.ci, r.ei, 1100) >= ${c.neverShare}
),
steps AS (
  SELECT *, unnest(range(0, ${months} // cyc + 3)) AS k FROM base
),
offsets AS (
  SELECT *,
    CASE WHEN k = 0 THEN 0
         WHEN rnd(ci * 8 + ei, k, 1102) < ${c.lateShare} THEN ${lateMin} + floor(rnd(ci * 8 + ei, k, 1103) * ${lateMax - lateMin + 1})
         ELSE -(${earlyMin} + floor(rnd(ci * 8 + ei, k, 1103) * ${earlyMax - earlyMin + 1})) END::INTEGER AS delta
  FROM steps
),
dated AS (
  SELECT ci, el, close_on,
    CAST(a0 + to_months(CAST(k * cyc AS INTEGER)) + to_days(CAST(sum(delta) OVER (PARTITION BY ci, ei ORDER BY k) AS INTEGER)) AS DATE) AS updated_on
  FROM offsets
)
SELECT ci, el, updated_on, greatest(mof(updated_on), ${f})::INTEGER AS dm
FROM dated
WHERE updated_on <= mend(${l}) AND (close_on IS NULL OR updated_on <= close_on);
`;
}
