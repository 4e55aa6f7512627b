import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * The credit marts the site shows (five_category.sql, class_matrix.sql) on the hand-worked KPI
 * fixture (test/helpers/kpi-fixture.ts). Every expected row is worked out from the fixture's loan
 * table; balances in CNY.
 *
 * On book at M = 2026-10-31 (loan, branch, product, balance in thousand, recorded class → floor):
 *   L01 BJ01 mortgage            500 正常 → 正常      L07 SH01 business            100 正常 → 正常 (observation ended)
 *   L02 BJ01 consumer_instalment  40 关注 → 关注      L10 SH01 mortgage            800 正常 → 正常
 *   L03 SH01 business            300 次级 → 次级      L11 BJ01 business            150 损失 → 损失 (361 dpd)
 *   L04 SH01 car                  60 关注 → 次级      L12 BJ01 car                  20 次级 → 可疑 (271 dpd)
 *   L05 BJ01 working_capital     200 可疑 → 可疑      L13 SH01 consumer_instalment  10 可疑 → 可疑 (360 dpd)
 *   L06 SH01 consumer_instalment  30 关注 → 次级      L14 SH01 car                  25 次级 → 次级 (270 dpd)
 * = 12 loans, 2,235 (L08 settled and L09 written off in M are off book).
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

describe('marts.mart_credit__five_category_distribution', () => {
  async function rows(month: string, slice: string, sliceValue: string) {
    return wh.all<{ recorded_class: string; class_rank: number; loans: number; balance: number; balance_share: number }>(
      `SELECT recorded_class, class_rank::INTEGER AS class_rank, loans::INTEGER AS loans, CAST(balance AS DOUBLE) AS balance, balance_share
       FROM marts.mart_credit__five_category_distribution
       WHERE as_of_month = DATE '${month}' AND slice = '${slice}' AND slice_value = '${sliceValue}' ORDER BY class_rank`,
    );
  }

  it('whole book at M: loans and balance per recorded class, shares of 2,235', async () => {
    // 正常 L01 500 + L07 100 + L10 800 = 1,400 (3); 关注 L02 40 + L04 60 + L06 30 = 130 (3);
    // 次级 L03 300 + L12 20 + L14 25 = 345 (3); 可疑 L05 200 + L13 10 = 210 (2); 损失 L11 150 (1).
    // 1,400 + 130 + 345 + 210 + 150 = 2,235.
    const r = await rows(M, 'all', 'ALL');
    expect(r.map(({ balance_share: _, ...x }) => x)).toEqual([
      { recorded_class: '正常', class_rank: 1, loans: 3, balance: 1_400_000 },
      { recorded_class: '关注', class_rank: 2, loans: 3, balance: 130_000 },
      { recorded_class: '次级', class_rank: 3, loans: 3, balance: 345_000 },
      { recorded_class: '可疑', class_rank: 4, loans: 2, balance: 210_000 },
      { recorded_class: '损失', class_rank: 5, loans: 1, balance: 150_000 },
    ]);
    const shares = [1400 / 2235, 130 / 2235, 345 / 2235, 210 / 2235, 150 / 2235]; // 0.6264, 0.0582, 0.1544, 0.0940, 0.0671
    r.forEach((x, i) => expect(x.balance_share, x.recorded_class).toBeCloseTo(shares[i]!, 10));
    // The NPL classes (次级 + 可疑 + 损失) hold 345 + 210 + 150 = 705: the npl_ratio numerator.
    expect(r.filter((x) => x.class_rank >= 3).reduce((s, x) => s + x.balance, 0)).toBe(705_000);
  });

  it('branch and product slices at M', async () => {
    // BJ01: L01 正常 500, L02 关注 40, L12 次级 20, L05 可疑 200, L11 损失 150 = 910.
    expect((await rows(M, 'branch', 'BJ01')).map((x) => [x.recorded_class, x.loans, x.balance])).toEqual([
      ['正常', 1, 500_000],
      ['关注', 1, 40_000],
      ['次级', 1, 20_000],
      ['可疑', 1, 200_000],
      ['损失', 1, 150_000],
    ]);
    // SH01: 正常 L07 100 + L10 800 = 900; 关注 L04 60 + L06 30 = 90; 次级 L03 300 + L14 25 = 325; 可疑 L13 10 → 1,325.
    const sh = await rows(M, 'branch', 'SH01');
    expect(sh.map((x) => [x.recorded_class, x.loans, x.balance])).toEqual([
      ['正常', 2, 900_000],
      ['关注', 2, 90_000],
      ['次级', 2, 325_000],
      ['可疑', 1, 10_000],
    ]);
    expect(sh[0]!.balance_share).toBeCloseTo(900 / 1325, 10); // 0.6792
    // car: L04 关注 60; L12 次级 20 + L14 次级 25 = 45.
    expect((await rows(M, 'product', 'car')).map((x) => [x.recorded_class, x.loans, x.balance, x.balance_share])).toEqual([
      ['关注', 1, 60_000, 60 / 105],
      ['次级', 2, 45_000, 45 / 105],
    ]);
    // mortgage: L01 500 + L10 800, both 正常 → one row, share 1.
    expect((await rows(M, 'product', 'mortgage')).map((x) => [x.recorded_class, x.loans, x.balance, x.balance_share])).toEqual([['正常', 2, 1_300_000, 1]]);
  });

  it('the previous month and the first months: only the snapshots of that month', async () => {
    // M−1 (2026-09-30), 13 loans on book: 正常 L01 505 + L08 10 = 515; 关注 L02 42 + L03 300 + L04 62 + L06 31
    // + L12 20 + L14 25 = 480; 次级 L05 200 + L07 100 = 300; 可疑 L11 150 + L13 10 = 160; 损失 L09 20 → 1,475.
    expect((await rows('2026-09-30', 'all', 'ALL')).map((x) => [x.recorded_class, x.loans, x.balance])).toEqual([
      ['正常', 2, 515_000],
      ['关注', 6, 480_000],
      ['次级', 2, 300_000],
      ['可疑', 2, 160_000],
      ['损失', 1, 20_000],
    ]);
    // 2025-09 and 2025-10 hold only L15: 45,000 关注, then 44,000 次级 (share 1).
    expect((await rows('2025-09-30', 'all', 'ALL')).map((x) => [x.recorded_class, x.loans, x.balance, x.balance_share])).toEqual([['关注', 1, 45_000, 1]]);
    expect((await rows('2025-10-31', 'all', 'ALL')).map((x) => [x.recorded_class, x.loans, x.balance, x.balance_share])).toEqual([['次级', 1, 44_000, 1]]);
  });
});

describe('marts.mart_credit__class_matrix', () => {
  async function cells(slice: string, sliceValue: string) {
    return wh.all<{ recorded_class: string; floor_class: string; is_under_classified: boolean; loans: number; balance: number }>(
      `SELECT recorded_class, floor_class, is_under_classified, loans::INTEGER AS loans, CAST(balance AS DOUBLE) AS balance
       FROM marts.mart_credit__class_matrix
       WHERE as_of_month = DATE '${M}' AND slice = '${slice}' AND slice_value = '${sliceValue}' ORDER BY recorded_rank, floor_rank`,
    );
  }

  it('whole book at M: recorded class × floor class, the under-classified cells above the diagonal', async () => {
    // Floors: dpd > 90 次级, > 270 可疑, > 360 损失, > 0 关注; restructured and in observation 次级.
    //   正常→正常  L01 500, L07 100 (observation ended at M), L10 800 = 1,400 (3)
    //   关注→关注  L02 40 (45 dpd)
    //   关注→次级  L04 60 (91 dpd) + L06 30 (restructured 2025-11-01, in observation) = 90 (2)  under
    //   次级→次级  L03 300 (120 dpd) + L14 25 (270 dpd: not > 270) = 325 (2)
    //   次级→可疑  L12 20 (271 dpd)  under
    //   可疑→可疑  L05 200 (300 dpd) + L13 10 (360 dpd: not > 360) = 210 (2)
    //   损失→损失  L11 150 (361 dpd)
    expect(await cells('all', 'ALL')).toEqual([
      { recorded_class: '正常', floor_class: '正常', is_under_classified: false, loans: 3, balance: 1_400_000 },
      { recorded_class: '关注', floor_class: '关注', is_under_classified: false, loans: 1, balance: 40_000 },
      { recorded_class: '关注', floor_class: '次级', is_under_classified: true, loans: 2, balance: 90_000 },
      { recorded_class: '次级', floor_class: '次级', is_under_classified: false, loans: 2, balance: 325_000 },
      { recorded_class: '次级', floor_class: '可疑', is_under_classified: true, loans: 1, balance: 20_000 },
      { recorded_class: '可疑', floor_class: '可疑', is_under_classified: false, loans: 2, balance: 210_000 },
      { recorded_class: '损失', floor_class: '损失', is_under_classified: false, loans: 1, balance: 150_000 },
    ]);
    // Under-classified 90 + 20 = 110: the under_classified_share numerator.
  });

  it('branch BJ01 and product car at M', async () => {
    // BJ01: L01 正常→正常 500, L02 关注→关注 40, L12 次级→可疑 20 (under), L05 可疑→可疑 200, L11 损失→损失 150.
    expect((await cells('branch', 'BJ01')).map((c) => [c.recorded_class, c.floor_class, c.is_under_classified, c.loans, c.balance])).toEqual([
      ['正常', '正常', false, 1, 500_000],
      ['关注', '关注', false, 1, 40_000],
      ['次级', '可疑', true, 1, 20_000],
      ['可疑', '可疑', false, 1, 200_000],
      ['损失', '损失', false, 1, 150_000],
    ]);
    // car: L04 关注→次级 60 (under), L14 次级→次级 25, L12 次级→可疑 20 (under).
    expect((await cells('product', 'car')).map((c) => [c.recorded_class, c.floor_class, c.is_under_classified, c.loans, c.balance])).toEqual([
      ['关注', '次级', true, 1, 60_000],
      ['次级', '次级', false, 1, 25_000],
      ['次级', '可疑', true, 1, 20_000],
    ]);
  });
});
