import type { SampleShape } from './customer-universe.js';
import { MODEL } from './model-parameters.js';
import { REPAYMENT_METHODS, SAMPLE_BRANCHES, SAMPLE_PRODUCTS, type SampleProduct } from './reference-data.js';
import { quoteLiteral } from '../lib/duckdb.js';
import { weightedPick } from './sql-text.js';

/** `CASE prod WHEN 0 THEN … END` over the five products. */
function perProduct(expr: (p: SampleProduct) => string): string {
  return `CASE prod ${SAMPLE_PRODUCTS.map((p, i) => `WHEN ${i} THEN ${expr(p)}`).join(' ')} END`;
}

/**
 * SQL creating table `loan`: every loan contract of the sample (the existing book disbursed in
 * the 36 months up to the first business date, and the loans disbursed in the window). Requires
 * table `cust`. Loan `lk = ci*10 + j` is the customer's j-th loan (j = 0..9): the first in
 * month `first_dmi`, further ones in any later month before churn with probability
 * `MODEL.followOnLoanRate`, which keeps the book roughly stable over the window.
 *
 * Columns: lk, ci, bi, prod (index in SAMPLE_PRODUCTS), p (principal), ccy (currency), rate (annual), r
 * (monthly), n (instalments), meth (index in REPAYMENT_METHODS), guar, dmi (disbursement month),
 * dday, haz (monthly miss probability), ppr (monthly prepayment probability), churn_m, under
 * (recorded one class milder than the rule).
 *
 * @example
 * await wh.exec(loanUniverseSql({ customers: 200, calendar: sampleCalendar('2024-11', 4) }));
 */
export function loanUniverseSql(shape: SampleShape): string {
  const l = shape.calendar.last;
  const lnKeep = Math.log(1 - MODEL.followOnLoanRate);
  if (MODEL.maxLoansPerCustomer !== 10) throw new Error('loan numbering assumes 10 loans per customer');
  const prodIndex = (id: string) => SAMPLE_PRODUCTS.findIndex((p) => p.productId === id);
  const individualPick = weightedPick('u_prod', [
    [String(prodIndex('mortgage')), 12],
    [String(prodIndex('car')), 13],
    [String(prodIndex('consumer_instalment')), 75],
  ]);
  const businessPick = weightedPick('u_prod', [
    [String(prodIndex('business')), 60],
    [String(prodIndex('working_capital')), 40],
  ]);
  const principal = perProduct((p) => {
    const { min, max, step } = p.principal;
    return `greatest(${min}, round(exp(ln(${min}) + u_p * (ln(${max}) - ln(${min}))) / ${step}) * ${step})`;
  });
  const rate = perProduct((p) => `(${p.rate.min} + u_rate * ${(p.rate.max - p.rate.min).toFixed(6)})`);
  const term = perProduct((p) => weightedPick('u_term', p.terms.map(([t, w]) => [String(t), w] as const)));
  const method = perProduct((p) =>
    weightedPick(
      'u_meth',
      p.methods.map(([m, w]) => [String(REPAYMENT_METHODS.indexOf(m)), w] as const),
    ),
  );
  const guarantee = perProduct((p) => weightedPick('u_guar', p.guarantees.map(([g, w]) => [quoteLiteral(g), w] as const)));
  const missRate = perProduct((p) => String(p.missRate));
  const prepayRate = perProduct((p) => String(p.prepayRate));
  const usdShare = perProduct((p) => String(p.usdShare));
  const branchPick = weightedPick(
    'u_bbranch',
    SAMPLE_BRANCHES.map((b, i) => [String(i), b.weight] as const),
  );
  const [ma, mb, mc] = MODEL.gradeMissMultiplier;
  return `
CREATE OR REPLACE TABLE loan AS
WITH gaps AS (
  -- follow-on loans: geometric gaps (months) with monthly probability followOnLoanRate
  SELECT c.ci, c.ctype, c.tg, c.bi AS cbi, c.churn_m, c.first_dmi, c.d0,
    (1 + floor(ln(1.0 - rnd(c.ci, 1, 100)) / ${lnKeep}))::INTEGER AS g1,
    (1 + floor(ln(1.0 - rnd(c.ci, 2, 100)) / ${lnKeep}))::INTEGER AS g2,
    (1 + floor(ln(1.0 - rnd(c.ci, 3, 100)) / ${lnKeep}))::INTEGER AS g3,
    (1 + floor(ln(1.0 - rnd(c.ci, 4, 100)) / ${lnKeep}))::INTEGER AS g4,
    (1 + floor(ln(1.0 - rnd(c.ci, 5, 100)) / ${lnKeep}))::INTEGER AS g5,
    (1 + floor(ln(1.0 - rnd(c.ci, 6, 100)) / ${lnKeep}))::INTEGER AS g6,
    (1 + floor(ln(1.0 - rnd(c.ci, 7, 100)) / ${lnKeep}))::INTEGER AS g7,
    (1 + floor(ln(1.0 - rnd(c.ci, 8, 100)) / ${lnKeep}))::INTEGER AS g8,
    (1 + floor(ln(1.0 - rnd(c.ci, 9, 100)) / ${lnKeep}))::INTEGER AS g9
  FROM cust c
), starts AS (
  SELECT ci, ctype, tg, cbi, churn_m, d0, unnest([first_dmi, first_dmi + g1, first_dmi + g1 + g2, first_dmi + g1 + g2 + g3, first_dmi + g1 + g2 + g3 + g4, first_dmi + g1 + g2 + g3 + g4 + g5, first_dmi + g1 + g2 + g3 + g4 + g5 + g6, first_dmi + g1 + g2 + g3 + g4 + g5 + g6 + g7, first_dmi + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8, first_dmi + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8 + g9]) AS dmi, unnest(range(10)) AS j FROM gaps
), dated AS (
  SELECT ci, ctype, tg, cbi, churn_m, dmi, j,
    (CASE WHEN j = 0 THEN d0 ELSE 1 + floor(rnd(ci, j, 101) * 27) END)::INTEGER AS dday,
    ci * 10 + j AS lk
  FROM starts
  WHERE dmi <= ${l} AND (churn_m IS NULL OR dmi < churn_m)
), drawn AS (
  SELECT *,
    rnd(lk, 0, 103) AS u_prod, rnd(lk, 0, 104) AS u_p, rnd(lk, 0, 105) AS u_rate, rnd(lk, 0, 106) AS u_term,
    rnd(lk, 0, 107) AS u_meth, rnd(lk, 0, 108) AS u_guar, rnd(lk, 0, 109) AS u_cur, rnd(lk, 0, 110) AS u_under,
    rnd(lk, 0, 111) AS u_obranch, rnd(lk, 0, 112) AS u_bbranch
  FROM dated
), typed AS (
  SELECT *, (CASE WHEN ctype = 0 THEN ${individualPick} ELSE ${businessPick} END)::TINYINT AS prod
  FROM drawn
)
SELECT lk, ci,
  (CASE WHEN u_obranch < 0.95 THEN cbi ELSE ${branchPick} END)::TINYINT AS bi,
  prod,
  (${principal})::DECIMAL(18,2) AS p,
  CASE WHEN u_cur < ${usdShare} THEN 'USD' ELSE 'CNY' END AS ccy,
  round(least(0.36, greatest(0.01, ${rate} + CASE tg WHEN 0 THEN -0.003 WHEN 2 THEN 0.01 ELSE 0 END)), 4) AS rate,
  round(least(0.36, greatest(0.01, ${rate} + CASE tg WHEN 0 THEN -0.003 WHEN 2 THEN 0.01 ELSE 0 END)), 4) / 12 AS r,
  (${term})::SMALLINT AS n,
  (${method})::TINYINT AS meth,
  ${guarantee} AS guar,
  dmi, dday,
  ${missRate} * CASE tg WHEN 0 THEN ${ma} WHEN 1 THEN ${mb} ELSE ${mc} END AS haz,
  ${prepayRate} AS ppr,
  churn_m,
  u_under < ${MODEL.underClassifiedShare} AS under
FROM typed
ORDER BY lk;
`;
}
