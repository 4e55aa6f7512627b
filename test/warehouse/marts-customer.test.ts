import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * The customer grade mix the site shows (grade_mix.sql) on the hand-worked KPI fixture
 * (test/helpers/kpi-fixture.ts). Expected rows worked out from the fixture's customer table.
 *
 * Active at M = 2026-10-31 (branch, type, recorded grade as of M → rule grade, docs/grading.md):
 *   C01 BJ01 individual     A        → A  (L01 clean, PD 0.01)
 *   C02 BJ01 individual     C (since 2026-10-20, B before) → C  (L09 written off in M)
 *   C03 SH01 small_business C        → C  (L03 次级)
 *   C04 SH01 individual     A        → C  (L04 91 dpd)
 *   C05 BJ01 small_business B        → C  (L05 可疑)
 *   C06 SH01 individual     ungraded → C  (L13 可疑, L14 次级)
 *   C08 SH01 individual     A        → B  (PD 0.06 ≥ 0.05)
 * Not active at M: C07 (closed 2026-10-15), C09 (closed 2025-10-20), C10 (closed 2026-09-10).
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

async function mix(month: string, slice: string, sliceValue: string, basis: 'recorded' | 'rule') {
  return wh.all<{ grade: string; customers: number; share: number }>(
    `SELECT grade, customers::INTEGER AS customers, share FROM marts.mart_customer__grade_mix
     WHERE as_of_month = DATE '${month}' AND slice = '${slice}' AND slice_value = '${sliceValue}' AND grade_basis = '${basis}' ORDER BY grade`,
  );
}

const counts = (rows: { grade: string; customers: number }[]) => Object.fromEntries(rows.map((r) => [r.grade, r.customers]));

describe('marts.mart_customer__grade_mix', () => {
  it('whole book at M: 7 active customers by recorded grade and by rule grade', async () => {
    // Recorded: A C01, C04, C08 = 3; B C05 = 1; C C02, C03 = 2; ungraded C06 = 1 → 7.
    const recorded = await mix(M, 'all', 'ALL', 'recorded');
    expect(counts(recorded)).toEqual({ A: 3, B: 1, C: 2, ungraded: 1 });
    expect(recorded.map((r) => r.share)).toEqual([3 / 7, 1 / 7, 2 / 7, 1 / 7]);
    // Rule: A C01 = 1; B C08 = 1; C C02, C03, C04, C05, C06 = 5 → 7 (the rule basis has no 'ungraded').
    const rule = await mix(M, 'all', 'ALL', 'rule');
    expect(counts(rule)).toEqual({ A: 1, B: 1, C: 5 });
    expect(rule.map((r) => r.share)).toEqual([1 / 7, 1 / 7, 5 / 7]);
  });

  it('branch and customer-type slices at M', async () => {
    // BJ01: C01 A→A, C02 C→C, C05 B→C.
    expect(counts(await mix(M, 'branch', 'BJ01', 'recorded'))).toEqual({ A: 1, B: 1, C: 1 });
    expect(counts(await mix(M, 'branch', 'BJ01', 'rule'))).toEqual({ A: 1, C: 2 });
    // SH01: C03 C→C, C04 A→C, C06 ungraded→C, C08 A→B.
    expect(counts(await mix(M, 'branch', 'SH01', 'recorded'))).toEqual({ A: 2, C: 1, ungraded: 1 });
    const shRule = await mix(M, 'branch', 'SH01', 'rule');
    expect(counts(shRule)).toEqual({ B: 1, C: 3 });
    expect(shRule.map((r) => r.share)).toEqual([1 / 4, 3 / 4]);
    // individual: C01 A→A, C02 C→C, C04 A→C, C06 ungraded→C, C08 A→B.
    expect(counts(await mix(M, 'customer_type', 'individual', 'recorded'))).toEqual({ A: 3, C: 1, ungraded: 1 });
    expect(counts(await mix(M, 'customer_type', 'individual', 'rule'))).toEqual({ A: 1, B: 1, C: 3 });
    // small_business: C03 C→C, C05 B→C.
    expect(counts(await mix(M, 'customer_type', 'small_business', 'recorded'))).toEqual({ B: 1, C: 1 });
    expect(counts(await mix(M, 'customer_type', 'small_business', 'rule'))).toEqual({ C: 2 });
  });

  it('recorded grades as of earlier month ends follow the customer versions', async () => {
    // M−1 (2026-09-30): C01..C07 active (C07 closes only on 2026-10-15; C10 closed 2026-09-10);
    // C02 is still B (its C version arrives on 2026-10-31). A C01, C04, C07; B C02, C05; C C03; ungraded C06.
    expect(counts(await mix('2026-09-30', 'all', 'ALL', 'recorded'))).toEqual({ A: 3, B: 2, C: 1, ungraded: 1 });
    // 2025-09-30: C01..C07, C09, C10 active (C08 not yet delivered). A C01, C04, C07, C10; B C02, C05, C09;
    // C C03; ungraded C06 → 9.
    const first = await mix('2025-09-30', 'all', 'ALL', 'recorded');
    expect(counts(first)).toEqual({ A: 4, B: 3, C: 1, ungraded: 1 });
    expect(first[0]!.share).toBe(4 / 9);
  });
});
