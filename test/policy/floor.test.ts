import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import type { FloorRules } from '../../transforms/policy/business-rules.js';
import { loadPolicy } from '../../transforms/policy/read-policy.js';
import { classNameSql, floorRankSql, floorRuleSql } from '../../transforms/warehouse/rules-sql.js';
import { M, writeKpiFixture } from '../helpers/kpi-fixture.js';

/** The five-category regulatory floor (policy/classification-floor.yaml, read by the loader) at every boundary. */
let mem: WarehouseHandle;
const SHIPPED_FLOOR = loadPolicy().floor;

async function floorOf(
  cases: { dpd: number; restructuredOn: string | null; asOf: string }[],
  rules: FloorRules = SHIPPED_FLOOR,
): Promise<{ floor: string; rule: string }[]> {
  const i = { dpd: 'dpd', isRestructured: 'restructured_on IS NOT NULL', restructuredOn: 'restructured_on', asOf: 'as_of' };
  const values = cases
    .map((c, k) => `(${k}, ${c.dpd}, ${c.restructuredOn ? `DATE '${c.restructuredOn}'` : 'NULL::DATE'}, DATE '${c.asOf}')`)
    .join(', ');
  return mem.all(
    `SELECT ${classNameSql(floorRankSql(i, rules))} AS floor, ${floorRuleSql(i, rules)} AS rule
     FROM (VALUES ${values}) AS t(k, dpd, restructured_on, as_of) ORDER BY k`,
  );
}

beforeAll(async () => {
  mem = await openWarehouse(':memory:');
});
afterAll(async () => {
  await mem?.close();
});

describe('floor rules in SQL (defaults: China 2023 risk-classification measures)', () => {
  it('days past due: 0 正常, 1 关注, 90/91 关注/次级, 270/271 次级/可疑, 360/361 可疑/损失', async () => {
    const dpds = [0, 1, 89, 90, 91, 269, 270, 271, 359, 360, 361, 1000];
    const got = await floorOf(dpds.map((dpd) => ({ dpd, restructuredOn: null, asOf: '2026-10-31' })));
    expect(Object.fromEntries(dpds.map((d, k) => [d, got[k]!.floor]))).toEqual({
      0: '正常', 1: '关注', 89: '关注', 90: '关注', 91: '次级', 269: '次级', 270: '次级', 271: '可疑', 359: '可疑', 360: '可疑', 361: '损失', 1000: '损失',
    });
    expect(got.map((g) => g.rule)).toEqual(['none', 'dpd>0', 'dpd>0', 'dpd>0', 'dpd>90', 'dpd>90', 'dpd>90', 'dpd>270', 'dpd>270', 'dpd>270', 'dpd>360', 'dpd>360']);
  });

  it('restructured: at least 次级 from restructured_on for 12 months (the first day after is outside)', async () => {
    const got = await floorOf([
      { dpd: 0, restructuredOn: '2025-10-31', asOf: '2025-10-30' }, // before the restructuring
      { dpd: 0, restructuredOn: '2025-10-31', asOf: '2025-10-31' }, // the day itself: inside
      { dpd: 0, restructuredOn: '2025-10-31', asOf: '2026-10-30' }, // last day inside
      { dpd: 0, restructuredOn: '2025-10-31', asOf: '2026-10-31' }, // 12 months later: outside
      { dpd: 0, restructuredOn: '2025-11-01', asOf: '2026-10-31' }, // inside (ends 2026-11-01)
      { dpd: 300, restructuredOn: '2025-11-01', asOf: '2026-10-31' }, // dpd floor is more severe
      { dpd: 45, restructuredOn: '2025-11-01', asOf: '2026-10-31' }, // restructuring floor is more severe
    ]);
    expect(got.map((g) => g.floor)).toEqual(['正常', '次级', '次级', '正常', '次级', '可疑', '次级']);
    expect(got.map((g) => g.rule)).toEqual(['none', 'restructured', 'restructured', 'none', 'restructured', 'dpd>270', 'restructured']);
  });

  it('reads its thresholds from the configuration', async () => {
    const strict: FloorRules = { dpd: [{ overDays: 60, floor: '次级' }, { overDays: 0, floor: '关注' }], restructured: { floor: '可疑', observationMonths: 6 } };
    const got = await floorOf(
      [
        { dpd: 60, restructuredOn: null, asOf: '2026-10-31' },
        { dpd: 61, restructuredOn: null, asOf: '2026-10-31' },
        { dpd: 400, restructuredOn: null, asOf: '2026-10-31' },
        { dpd: 0, restructuredOn: '2026-05-01', asOf: '2026-10-31' }, // inside 6 months
        { dpd: 0, restructuredOn: '2026-04-30', asOf: '2026-10-31' }, // 6 months ended on 2026-10-30
      ],
      strict,
    );
    expect(got.map((g) => g.floor)).toEqual(['关注', '次级', '次级', '可疑', '正常']);
  });
});

describe('floor on the fixture loans (core.fct_loan_month_ends)', () => {
  let wh: WarehouseHandle;
  const dir = writeKpiFixture();
  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, dir);
    await buildWarehouse(wh);
  }, 120_000);
  afterAll(async () => {
    await wh?.close();
  });

  const floors = async (month: string) =>
    Object.fromEntries(
      (
        await wh.all<{ loan_id: string; days_past_due: number; recorded_class: string; floor_class: string; is_under_classified: boolean }>(
          `SELECT loan_id, days_past_due, recorded_class, floor_class, is_under_classified FROM core.fct_loan_month_ends WHERE as_of_month = DATE '${month}'`,
        )
      ).map((r) => [r.loan_id, `${r.days_past_due} ${r.recorded_class}→${r.floor_class}${r.is_under_classified ? ' under' : ''}`]),
    );

  it('classifies every boundary loan at M = 2026-10-31', async () => {
    expect(await floors(M)).toMatchObject({
      L02: '45 关注→关注',
      L03: '120 次级→次级',
      L04: '91 关注→次级 under', // 91 days: floor 次级
      L05: '300 可疑→可疑',
      L06: '0 关注→次级 under', // restructured 2025-11-01: still in the observation period
      L07: '0 正常→正常', // restructured 2025-10-31: observation period ended on M
      L11: '361 损失→损失', // 361 days: 损失
      L12: '271 次级→可疑 under', // 271 days: at least 可疑
      L13: '360 可疑→可疑', // 360 days: still 可疑
      L14: '270 次级→次级', // 270 days: still 次级
    });
  });

  it('classifies the previous month end too (90 days, restructured within the period)', async () => {
    expect(await floors('2026-09-30')).toMatchObject({
      L03: '90 关注→关注', // 90 days: 关注 is enough
      L07: '0 次级→次级', // restructured 2025-10-31, inside its period at 2026-09-30
      L12: '240 关注→次级 under',
    });
  });

  it('takes a configured observation period (6 months): L06 is no longer under-classified at M', async () => {
    const wh6 = await openWarehouse(':memory:');
    try {
      await loadExtracts(wh6, dir);
      await buildWarehouse(wh6, { rules: { floor: { restructured: { floor: '次级', observationMonths: 6 } } } });
      const [r] = await wh6.all<{ floor_class: string }>(`SELECT floor_class FROM core.fct_loan_month_ends WHERE loan_id = 'L06' AND as_of_month = DATE '${M}'`);
      expect(r!.floor_class).toBe('正常');
      const [k] = await wh6.all<{ numerator: number; value: number }>(
        `SELECT numerator, value FROM metrics.kpi_under_classified_share WHERE as_of_month = DATE '${M}' AND branch_id IS NULL AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL`,
      );
      // L04 60 + L12 20 = 80 of 2,235
      expect(k!.numerator).toBe(80_000);
      expect(k!.value).toBeCloseTo(80 / 2235, 4);
    } finally {
      await wh6.close();
    }
    // The override applied to that build only: the defaults are back.
    const again = await openWarehouse(':memory:');
    try {
      await loadExtracts(again, dir);
      await buildWarehouse(again);
      const [r] = await again.all<{ floor_class: string }>(`SELECT floor_class FROM core.fct_loan_month_ends WHERE loan_id = 'L06' AND as_of_month = DATE '${M}'`);
      expect(r!.floor_class).toBe('次级');
    } finally {
      await again.close();
    }
  }, 120_000);
});
