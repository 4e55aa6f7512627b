import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import type { ExtractRow } from '../helpers/extract-rows.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * Model stability and calibration (marts.mart_model__score_distribution, marts.mart_model__calibration_deciles,
 * KPIs model_psi and model_calibration_error) on the hand-worked KPI fixture (test/helpers/kpi-fixture.ts)
 * with a second model version, psi-t, scoring 13 added customers P01–P13 (no loans: never in default)
 * and the fixture's C01–C07 (defaults within 12 months of 2025-10: C02, C03, C04, C05, C06; not C01, C07).
 *
 * 2025-10 (psi-t's first month: its reference), 20 scores, PD 0.005 × i, i = 1 … 20:
 *   i  1 P01 .005   2 P02 .010   3 P03 .015   4 C01 .020   5 P04 .025   6 C07 .030   7 P05 .035   8 P06 .040
 *   i  9 P07 .045  10 P08 .050  11 P09 .055  12 C03 .060  13 P10 .065  14 C05 .070  15 P11 .075  16 P12 .080
 *   i 17 C04 .085  18 C02 .090  19 P13 .095  20 C06 .100
 * PSI bins (B = 10): edge k = the PD at position ceil(k × 20 ÷ 10) = 2k → 0.01, 0.02, …, 0.09; bin 1 = PD ≤ 0.01,
 * bin k = (0.01(k−1), 0.01k], bin 10 = PD > 0.09 (open). Two reference scores per bin: e = 0.1 everywhere.
 *
 * 2026-09: 10 scores P01 .015, P02 .02, P03 .03, P04 .04, P05 .05, P06 .06, P07 .07, P08 .08, P09 .09, P10 .10
 *   → bin 1 empty, bin 2 two (.015, .02), bins 3–10 one each: a = 0, .2, .1 × 8. Empty bin floored at 0.0001:
 *   PSI = (0.0001 − 0.1) × ln(0.0001 ÷ 0.1) + (0.2 − 0.1) × ln(0.2 ÷ 0.1) = 0.690085 + 0.069315 = 0.759400.
 * 2026-10 (M): 20 customers; P01 scored twice (10-05 PD .5, 10-25 PD .005): only the later counts.
 *   bin 1 P01 .005 | bin 2 P02 .02 | bins 3–8 two each (.025 .03, .035 .04, .045 .05, .055 .06, .065 .07, .075 .08)
 *   bin 9 C02 .085, C03 .09, C04 .09 (.09 = the edge: inclusive) | bin 10 C05 .095, C06 .2, C07 .5
 *   → a = .05, .05, .1 × 6, .15, .15:
 *   PSI = 2 × (0.05 − 0.1) × ln(0.5) + 2 × (0.15 − 0.1) × ln(1.5) = 0.069315 + 0.040547 = 0.109861.
 *   (Had P01's earlier score counted too: 21 scores, bin 10 four → a different PSI.)
 *
 * Calibration at M (evaluation of the 2025-10 scores; psi-t has 20 evaluable scores, pd-2.3 7 → psi-t is
 * the main version): deciles are pairs in PD order; gap = |Σ PD − defaults|:
 *   d1 .005+.010 = .015, 0 def → .015   d2 .015+.020 = .035 → .035   d3 .055 → .055   d4 .075 → .075
 *   d5 .095 → .095   d6 .055+.060 (C03) = .115, 1 def → .885   d7 .065+.070 (C05) = .135, 1 → .865
 *   d8 .155 → .155   d9 .085 (C04) + .090 (C02) = .175, 2 → 1.825   d10 .095+.100 (C06) = .195, 1 → .805
 *   Σ gaps = 4.81 → expected calibration error 4.81 ÷ 20 = 0.2405.
 */
const cust = (id: string): ExtractRow => ({
  customer_id: id,
  customer_type: 'individual',
  name: `测试客户${id}`,
  id_number: `ID${id}X`,
  branch_id: 'BJ01',
  onboarded_on: '2024-01-01',
  grade: 'A',
  graded_on: '2025-01-01',
});
const score = (c: string, on: string, pd: number): ExtractRow => ({
  customer_id: c,
  scored_on: on,
  model_version: 'psi-t',
  pd: pd.toFixed(6),
  predicted_default: String(pd >= 0.2),
});
const P = (i: number) => `P${String(i).padStart(2, '0')}`;
const REFERENCE = ['P01', 'P02', 'P03', 'C01', 'P04', 'C07', 'P05', 'P06', 'P07', 'P08', 'P09', 'C03', 'P10', 'C05', 'P11', 'P12', 'C04', 'C02', 'P13', 'C06'];
const AT_M: [string, number][] = [
  ['P02', 0.02], ['P03', 0.025], ['P04', 0.03], ['P05', 0.035], ['P06', 0.04], ['P07', 0.045], ['P08', 0.05], ['P09', 0.055], ['P10', 0.06],
  ['P11', 0.065], ['P12', 0.07], ['P13', 0.075], ['C01', 0.08], ['C02', 0.085], ['C03', 0.09], ['C04', 0.09], ['C05', 0.095], ['C06', 0.2], ['C07', 0.5],
];

let wh: WarehouseHandle;
beforeAll(async () => {
  wh = await kpiFixtureWarehouse((rows) => {
    rows['2025-09-30'].customers!.push(...Array.from({ length: 13 }, (_, i) => cust(P(i + 1))));
    rows['2025-10-31'].risk_scores!.push(...REFERENCE.map((c, i) => score(c, '2025-10-20', 0.005 * (i + 1))));
    rows['2026-09-30'].risk_scores!.push(...[0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1].map((pd, i) => score(P(i + 1), '2026-09-20', pd)));
    rows['2026-10-31'].risk_scores!.push(score('P01', '2026-10-05', 0.5), score('P01', '2026-10-25', 0.005), ...AT_M.map(([c, pd]) => score(c, '2026-10-20', pd)));
  });
}, 120_000);
afterAll(async () => wh?.close());

interface BinRow {
  bin: number;
  lower_edge: number | null;
  upper_edge: number | null;
  scores: number;
  share: number;
  reference_share: number;
  psi: number;
  reference_month: string;
  is_main_version: boolean;
}
const bins = async (month: string, version = 'psi-t') =>
  wh.all<BinRow>(
    `SELECT CAST(bin AS INTEGER) AS bin, lower_edge, upper_edge, CAST(scores AS INTEGER) AS scores, share, reference_share, psi,
       strftime(reference_month, '%Y-%m') AS reference_month, is_main_version
     FROM marts.mart_model__score_distribution WHERE model_version = '${version}' AND as_of_month = DATE '${month}' ORDER BY bin`,
  );
const kpi = async (id: string) => {
  const [r] = await wh.all<{ numerator: number | null; denominator: number; value: number; status: string; rag: string }>(
    `SELECT numerator, denominator, value, status, rag FROM metrics.kpi_${id} WHERE as_of_month = DATE '${M}'`,
  );
  return r!;
};

describe('score distribution and PSI (reference month = the first month the version scored)', () => {
  it('one score per customer, version and month: the latest of the month (P01 re-scored at M)', async () => {
    const rows = await wh.all<{ scored_on: Date; pd: number; scores_in_month: bigint }>(
      `SELECT scored_on, pd, scores_in_month FROM core.fct_risk_score_months WHERE customer_id = 'P01' AND model_version = 'psi-t' AND score_month = DATE '${M}'`,
    );
    expect(rows).toEqual([{ scored_on: new Date('2026-10-25'), pd: 0.005, scores_in_month: 2n }]);
    const [n] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM core.fct_risk_score_months WHERE model_version = 'psi-t' AND score_month = DATE '${M}'`);
    expect(n!.n).toBe(20n);
  });

  it('bins: deciles of the reference month (edges 0.01 … 0.09), outer bins open, 10 % of the reference in each; PSI 0 there', async () => {
    const ref = await bins('2025-10-31');
    expect(ref.map((r) => [r.bin, r.lower_edge, r.upper_edge])).toEqual([
      [1, null, 0.01], [2, 0.01, 0.02], [3, 0.02, 0.03], [4, 0.03, 0.04], [5, 0.04, 0.05],
      [6, 0.05, 0.06], [7, 0.06, 0.07], [8, 0.07, 0.08], [9, 0.08, 0.09], [10, 0.09, null],
    ].map(([b, lo, hi]) => [b, lo === null ? null : expect.closeTo(lo as number, 12), hi === null ? null : expect.closeTo(hi as number, 12)]));
    for (const r of ref) {
      expect(r.scores).toBe(2);
      expect(r.share).toBeCloseTo(0.1, 12);
      expect(r.reference_month).toBe('2025-10');
    }
    expect(ref[0]!.psi).toBe(0);
  });

  it('a shifted month: a = .05, .05, .1 × 6, .15, .15 → PSI = 2 × (−.05) × ln .5 + 2 × .05 × ln 1.5 = 0.109861', async () => {
    const m = await bins(M);
    expect(m.map((r) => r.scores)).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 3, 3]);
    expect(m[0]!.psi).toBeCloseTo(2 * -0.05 * Math.log(0.5) + 2 * 0.05 * Math.log(1.5), 12);
    expect(m[0]!.psi).toBeCloseTo(0.109861, 6);
  });

  it('an empty bin is floored at 0.0001: (0.0001 − 0.1) × ln(0.001) + 0.1 × ln 2 = 0.759400', async () => {
    const m = await bins('2026-09-30');
    expect(m.map((r) => r.scores)).toEqual([0, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(m[0]!.share).toBe(0); // the mart keeps the real share; the floor is only inside the logarithm
    expect(m[0]!.psi).toBeCloseTo((0.0001 - 0.1) * Math.log(0.0001 / 0.1) + 0.1 * Math.log(2), 12);
    expect(m[0]!.psi).toBeCloseTo(0.7594, 4);
  });

  it('the KPI reads the version with the most scores (psi-t 20, pd-2.3 1 at M): 0.109861, too few (20 < 400)', async () => {
    expect((await bins(M))[0]!.is_main_version).toBe(true);
    expect((await bins(M, 'pd-2.3'))[0]!.is_main_version).toBe(false);
    const r = await kpi('model_psi');
    expect(r).toMatchObject({ numerator: null, denominator: 20, status: 'too_few', rag: 'none' });
    expect(r.value).toBeCloseTo(0.109861, 6);
  });
});

describe('calibration by decile', () => {
  it('pairs of scores in PD order with mean PD, defaults and the observed rate (psi-t at M)', async () => {
    const rows = await wh.all<{ decile: number; scores: bigint; mean_pd: number; defaults: bigint; observed_default_rate: number; calibration_gap: number }>(
      `SELECT decile, scores, mean_pd, defaults, observed_default_rate, CAST(calibration_gap AS DOUBLE) AS calibration_gap
       FROM marts.mart_model__calibration_deciles WHERE as_of_month = DATE '${M}' AND model_version = 'psi-t' ORDER BY decile`,
    );
    expect(rows.map((r) => [r.decile, r.scores, r.defaults])).toEqual([
      [1, 2n, 0n], [2, 2n, 0n], [3, 2n, 0n], [4, 2n, 0n], [5, 2n, 0n], [6, 2n, 1n], [7, 2n, 1n], [8, 2n, 0n], [9, 2n, 2n], [10, 2n, 1n],
    ]);
    expect(rows.map((r) => r.mean_pd)).toEqual([0.0075, 0.0175, 0.0275, 0.0375, 0.0475, 0.0575, 0.0675, 0.0775, 0.0875, 0.0975].map((x) => expect.closeTo(x, 12)));
    expect(rows.map((r) => r.observed_default_rate)).toEqual([0, 0, 0, 0, 0, 0.5, 0.5, 0, 1, 0.5]);
    expect(rows.map((r) => r.calibration_gap)).toEqual([0.015, 0.035, 0.055, 0.075, 0.095, 0.885, 0.865, 0.155, 1.825, 0.805]);
  });

  it('expected calibration error of the main version: 4.81 ÷ 20 = 0.2405 (too few: 20 < 300 scores)', async () => {
    const r = await kpi('model_calibration_error');
    expect(r).toMatchObject({ denominator: 20, status: 'too_few', rag: 'none' });
    expect(r.numerator).toBeCloseTo(4.81, 12);
    expect(r.value).toBeCloseTo(0.2405, 12);
  });
});

describe('a fixed reference month (policy model_validation.psi_reference)', () => {
  it('"2026-09": edges .015, .02, .03 … .09 from that month; 2025-10 against it: a = .15, .05, .1 × 8 → PSI 0.054931', async () => {
    await buildWarehouse(wh, { runTests: true, rules: { kpi: { modelValidation: { psiReference: '2026-09' } } } });
    const ref = await bins('2026-09-30');
    expect(ref.map((r) => r.upper_edge)).toEqual([0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, null].map((x) => (x === null ? null : expect.closeTo(x, 12))));
    expect(ref.every((r) => r.reference_month === '2026-09' && r.scores === 1)).toBe(true);
    const early = await bins('2025-10-31');
    // bin 1 (≤ .015): .005 .010 .015 = 3; bin 2 (.015, .02]: .02 = 1; bins 3–10: 2 each → (.15 − .1) × ln 1.5 + (.05 − .1) × ln .5
    expect(early.map((r) => r.scores)).toEqual([3, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(early[0]!.psi).toBeCloseTo(0.05 * Math.log(1.5) + -0.05 * Math.log(0.5), 12);
    expect(early[0]!.psi).toBeCloseTo(0.054931, 6);
  }, 120_000);

  it('"2025-09": no version scored then, so no version has a PSI and the KPI has no data', async () => {
    await buildWarehouse(wh, { runTests: true, rules: { kpi: { modelValidation: { psiReference: '2025-09' } } } });
    const [n] = await wh.all<{ n: bigint }>('SELECT count(*) AS n FROM marts.mart_model__score_distribution');
    expect(n!.n).toBe(0n);
    expect(await kpi('model_psi')).toMatchObject({ value: null, status: 'no_data' });
  }, 120_000);
});
