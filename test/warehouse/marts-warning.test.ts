import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * The warning lag distribution the site shows (warning_lag.sql) on the hand-worked KPI fixture
 * (test/helpers/kpi-fixture.ts). Lag = raised date − signal date, in buckets 0, 1, 2, 3, 4-7,
 * 8-14, 15-30, 31+ (bucket_order 1 … 8); a warning counts in the month it was raised.
 *
 * Raised in M = 2026-10 (customer's branch and type at M):
 *   W01 C03 SH01 small_business  10-01 → 10-03  lag 2
 *   W02 C04 SH01 individual      10-05 → 10-09  lag 4   (4-7)
 *   W03 C01 BJ01 individual      10-10 → 10-13  lag 3
 *   W04 C05 BJ01 small_business  10-20 → 10-20  lag 0
 *   W05 C03 SH01 small_business  09-20 → 10-01  lag 11  (8-14)
 *   W08 C06 SH01 individual      10-08 → 10-10  lag 2
 * W06 was raised 2026-08-20 (2026-08 is not a reporting month); W07 (C05) 08-30 → 09-01, lag 2, in
 * 2026-09; W09 (C06) 2025-09-10 → 09-15, lag 5, in 2025-09.
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

async function buckets(month: string, slice: string, sliceValue: string) {
  return wh.all<{ lag_bucket: string; bucket_order: number; warnings: number; share: number }>(
    `SELECT lag_bucket, bucket_order::INTEGER AS bucket_order, warnings::INTEGER AS warnings, share FROM marts.mart_warning__lag_distribution
     WHERE as_of_month = DATE '${month}' AND slice = '${slice}' AND slice_value = '${sliceValue}' ORDER BY bucket_order`,
  );
}

describe('marts.mart_warning__lag_distribution', () => {
  it('whole book at M: 6 warnings raised, by lag bucket', async () => {
    // 0: W04; 2: W01, W08; 3: W03; 4-7: W02; 8-14: W05 → 1 + 2 + 1 + 1 + 1 = 6. Within 3 days: 4 of 6 (warning_timeliness).
    expect(await buckets(M, 'all', 'ALL')).toEqual([
      { lag_bucket: '0', bucket_order: 1, warnings: 1, share: 1 / 6 },
      { lag_bucket: '2', bucket_order: 3, warnings: 2, share: 2 / 6 },
      { lag_bucket: '3', bucket_order: 4, warnings: 1, share: 1 / 6 },
      { lag_bucket: '4-7', bucket_order: 5, warnings: 1, share: 1 / 6 },
      { lag_bucket: '8-14', bucket_order: 6, warnings: 1, share: 1 / 6 },
    ]);
  });

  it('branch and customer-type slices at M', async () => {
    const shape = (rows: { lag_bucket: string; warnings: number; share: number }[]) => rows.map((r) => [r.lag_bucket, r.warnings, r.share]);
    // BJ01: W04 (0), W03 (3).
    expect(shape(await buckets(M, 'branch', 'BJ01'))).toEqual([
      ['0', 1, 0.5],
      ['3', 1, 0.5],
    ]);
    // SH01: W01, W08 (2); W02 (4-7); W05 (8-14) → 4.
    expect(shape(await buckets(M, 'branch', 'SH01'))).toEqual([
      ['2', 2, 0.5],
      ['4-7', 1, 0.25],
      ['8-14', 1, 0.25],
    ]);
    // individual: W08 (2), W03 (3), W02 (4-7); small_business: W04 (0), W01 (2), W05 (8-14).
    expect(shape(await buckets(M, 'customer_type', 'individual'))).toEqual([
      ['2', 1, 1 / 3],
      ['3', 1, 1 / 3],
      ['4-7', 1, 1 / 3],
    ]);
    expect(shape(await buckets(M, 'customer_type', 'small_business'))).toEqual([
      ['0', 1, 1 / 3],
      ['2', 1, 1 / 3],
      ['8-14', 1, 1 / 3],
    ]);
  });

  it('other months: only the warnings raised in that month', async () => {
    // 2026-09: W07 (lag 2, C05 BJ01). 2025-09: W09 (lag 5, C06 SH01). 2025-10: none raised.
    expect((await buckets('2026-09-30', 'all', 'ALL')).map((r) => [r.lag_bucket, r.warnings, r.share])).toEqual([['2', 1, 1]]);
    expect((await buckets('2026-09-30', 'branch', 'BJ01')).map((r) => [r.lag_bucket, r.warnings])).toEqual([['2', 1]]);
    expect((await buckets('2025-09-30', 'all', 'ALL')).map((r) => [r.lag_bucket, r.warnings, r.share])).toEqual([['4-7', 1, 1]]);
    expect((await buckets('2025-09-30', 'customer_type', 'individual')).map((r) => [r.lag_bucket, r.warnings])).toEqual([['4-7', 1]]);
    expect(await buckets('2025-10-31', 'all', 'ALL')).toEqual([]);
    // Every month's shares add up to 1 per slice.
    const [bad] = await wh.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM (SELECT as_of_month, slice, slice_value, sum(share) AS s FROM marts.mart_warning__lag_distribution GROUP BY ALL) WHERE abs(s - 1) > 1e-9`,
    );
    expect(bad!.n).toBe(0n);
  });
});
