import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import { KPI_EXPECTED, KPI_EXPECTED_RAG, M, writeKpiFixture } from '../helpers/kpi-fixture.js';

/**
 * Every KPI on the hand-built fixture (test/helpers/kpi-fixture.ts, loaded through the real
 * loader), checked to 4 decimals for the whole book and for a branch.
 */
let wh: WarehouseHandle;

interface KpiRow {
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  rag: string;
}

async function kpi(id: string, slice: 'all' | string): Promise<KpiRow | undefined> {
  const where = slice === 'all' ? 'branch_id IS NULL' : `branch_id = '${slice}'`;
  const rows = await wh.all<KpiRow>(
    `SELECT numerator, denominator, value, target, rag FROM metrics.kpi_${id}
     WHERE as_of_month = DATE '${M}' AND ${where} AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL`,
  );
  expect(rows.length, `${id} ${slice}: one row`).toBeLessThanOrEqual(1);
  return rows[0];
}

beforeAll(async () => {
  wh = await openWarehouse(':memory:');
  await loadExtracts(wh, writeKpiFixture());
  await buildWarehouse(wh);
}, 120_000);

afterAll(async () => {
  await wh?.close();
});

describe('KPI values on the hand-built fixture (M = 2026-10-31)', () => {
  it('has an expectation for every KPI in metrics/', async () => {
    const ids = (await discoverMetrics()).map((m) => m.id).sort();
    expect(Object.keys(KPI_EXPECTED).sort()).toEqual(ids);
  });

  for (const [id, slices] of Object.entries(KPI_EXPECTED)) {
    for (const [slice, [num, den, value]] of Object.entries(slices as Record<string, readonly [number | null, number | null, number | null]>)) {
      it(`${id} — ${slice === 'all' ? 'whole book' : `branch ${slice}`}`, async () => {
        const row = await kpi(id, slice);
        expect(row, `${id} ${slice} row exists`).toBeDefined();
        if (value === null) {
          // Expected no_data for a month it cannot know (e.g. a year-to-date KPI without the previous year end).
          expect(row).toMatchObject({ numerator: null, denominator: null, value: null, rag: 'none' });
          return;
        }
        if (num === null) expect(row!.numerator).toBeNull();
        else expect(row!.numerator).toBeCloseTo(num, 4);
        expect(row!.denominator).toBeCloseTo(den!, 4);
        expect(row!.value).toBeCloseTo(value, 4);
      });
    }
  }

  for (const [id, slices] of Object.entries(KPI_EXPECTED_RAG)) {
    for (const [slice, exp] of Object.entries(slices as Record<string, { target: number | null; rag: string }>)) {
      it(`${id} — ${slice}: target ${exp.target ?? 'none'}, RAG ${exp.rag}`, async () => {
        const row = await kpi(id, slice);
        if (exp.target === null) expect(row!.target).toBeNull();
        else expect(row!.target).toBeCloseTo(exp.target, 4);
        expect(row!.rag).toBe(exp.rag);
      });
    }
  }

  it('re-slicing sums numerators and denominators: Σ branches = whole book for every ratio KPI', async () => {
    const metrics = (await discoverMetrics()).filter((m) => m.formula.kind === 'ratio' && m.dimensions.includes('branch_id'));
    expect(metrics.length).toBeGreaterThan(10);
    for (const m of metrics) {
      const [r] = await wh.all<{ whole_num: number; whole_den: number; whole_value: number | null; sum_num: number; sum_den: number }>(
        `SELECT
           max(numerator) FILTER (WHERE branch_id IS NULL AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL) AS whole_num,
           max(denominator) FILTER (WHERE branch_id IS NULL AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL) AS whole_den,
           max(value) FILTER (WHERE branch_id IS NULL AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL) AS whole_value,
           sum(numerator) FILTER (WHERE branch_id IS NOT NULL) AS sum_num,
           sum(denominator) FILTER (WHERE branch_id IS NOT NULL) AS sum_den
         FROM metrics.kpi_${m.id} WHERE as_of_month = DATE '${M}'`,
      );
      expect(r!.sum_num, `${m.id} numerator`).toBeCloseTo(r!.whole_num, 6);
      expect(r!.sum_den, `${m.id} denominator`).toBeCloseTo(r!.whole_den, 6);
      // A month the KPI cannot know (no_data: NULL denominator) or a zero denominator has no value to compare.
      if (r!.whole_den) expect(r!.sum_num / r!.sum_den, `${m.id} value`).toBeCloseTo(r!.whole_value!, 10);
    }
    // …and never the average of the branch rates: for the NPL ratio they differ.
    const [avg] = await wh.all<{ avg_rate: number }>(`SELECT avg(value) AS avg_rate FROM metrics.kpi_npl_ratio WHERE as_of_month = DATE '${M}' AND branch_id IS NOT NULL`);
    expect(avg!.avg_rate).not.toBeCloseTo(KPI_EXPECTED.npl_ratio.all[2], 4);
  });

  it('every other dimension also re-aggregates to the whole book (npl_ratio by product, customer type, grade)', async () => {
    for (const dim of ['product_id', 'customer_type', 'grade']) {
      const [r] = await wh.all<{ n: number; d: number }>(
        `SELECT sum(numerator) AS n, sum(denominator) AS d FROM metrics.kpi_npl_ratio WHERE as_of_month = DATE '${M}' AND ${dim} IS NOT NULL`,
      );
      expect(r!.n).toBeCloseTo(705_000, 2);
      expect(r!.d).toBeCloseTo(2_235_000, 2);
    }
  });

  it('writes kpi_values and metric_catalog in the shapes the report site reads', async () => {
    const cols = async (t: string) => (await wh.all<{ column_name: string; column_type: string }>(`DESCRIBE ${t}`)).map((c) => `${c.column_name}:${c.column_type}`);
    expect((await cols('metrics.kpi_values')).slice(0, 9)).toEqual([
      'metric_id:VARCHAR', 'as_of_month:DATE', 'slice:VARCHAR', 'slice_value:VARCHAR', 'numerator:DOUBLE',
      'denominator:DOUBLE', 'value:DOUBLE', 'target:DOUBLE', 'rag:VARCHAR',
    ]);
    const catalog = await cols('metrics.metric_catalog');
    for (const c of ['metric_id:VARCHAR', 'name_zh:VARCHAR', 'name_en:VARCHAR', 'description:VARCHAR', 'formula_text:VARCHAR', 'unit:VARCHAR',
      'direction:VARCHAR', 'target:DOUBLE', 'target_text:VARCHAR', 'tolerance:DOUBLE', 'policy_source:VARCHAR', 'grain:VARCHAR',
      'dimensions:VARCHAR', 'sort_order:INTEGER']) {
      expect(catalog).toContain(c);
    }
    expect((await cols('metrics.kpi_npl_ratio'))).toEqual([
      'as_of_month:DATE', 'branch_id:VARCHAR', 'product_id:VARCHAR', 'customer_type:VARCHAR', 'grade:VARCHAR',
      'numerator:DOUBLE', 'denominator:DOUBLE', 'value:DOUBLE', 'target:DOUBLE', 'rag:VARCHAR',
      'status:VARCHAR', 'reason_code:VARCHAR', 'reason_zh:VARCHAR', 'reason_en:VARCHAR',
      'n:DOUBLE', 'baseline:DOUBLE', 'target_clamped:BOOLEAN', 'target_text:VARCHAR',
    ]);
    const [whole] = await wh.all<{ value: number; slice_label: string }>(
      `SELECT value, slice_label FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND as_of_month = DATE '${M}' AND slice = 'all' AND slice_value = 'ALL'`,
    );
    expect(whole!.value).toBeCloseTo(705 / 2235, 10);
    const [branch] = await wh.all<{ value: number; slice_label: string }>(
      `SELECT value, slice_label FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND as_of_month = DATE '${M}' AND slice = 'branch' AND slice_value = 'BJ01'`,
    );
    expect(branch).toEqual({ value: 370 / 910, slice_label: '北京分行' });
    const units = await wh.all<{ unit: string; n: bigint }>(`SELECT unit, count(*) AS n FROM metrics.metric_catalog GROUP BY unit ORDER BY unit`);
    expect(units.map((u) => u.unit)).toEqual(['days', 'hours', 'ratio', 'score']);
  });

  it('only the allowed dimensions vary, and the whole book exists for every reporting month', async () => {
    const [hr] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM metrics.kpi_high_risk_share WHERE product_id IS NOT NULL OR grade IS NOT NULL`);
    expect(hr!.n).toBe(0n);
    const months = await wh.all<{ as_of_month: Date }>(
      `SELECT as_of_month FROM metrics.kpi_model_auc WHERE branch_id IS NULL AND customer_type IS NULL AND grade IS NULL ORDER BY 1`,
    );
    expect(months.map((m) => m.as_of_month.toISOString().slice(0, 10))).toEqual(['2025-09-30', '2025-10-31', '2026-09-30', '2026-10-31']);
  });

  it('NPL movements reconcile and match the hand count (opening 480 + new 345 − cured 100 − written off 20 = closing 705)', async () => {
    const rows = await wh.all<{ movement: string; loans: bigint; balance: number }>(
      `SELECT movement, loans, CAST(balance AS DOUBLE) AS balance FROM marts.mart_risk__npl_movements
       WHERE as_of_month = DATE '${M}' AND slice = 'all' ORDER BY movement_order`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.movement, r.balance]));
    expect(by).toMatchObject({ opening: 480_000, new_npl: 345_000, cured: 100_000, repaid: 0, written_off: 20_000, transferred: 0, closing: 705_000 });
  });

  it('roll rates: from the previous month-end bucket to this one', async () => {
    const rows = await wh.all<{ from_bucket: string; to_bucket: string; loans: bigint; share: number }>(
      `SELECT from_bucket, to_bucket, loans, share FROM marts.mart_risk__roll_rates WHERE as_of_month = DATE '${M}' AND slice = 'all' ORDER BY from_order, to_order`,
    );
    // current at M−1: L01, L06, L07, L08 → L01/L06/L07 current, L08 closed (settled)
    expect(rows.filter((r) => r.from_bucket === 'current').map((r) => [r.to_bucket, r.loans])).toEqual([
      ['current', 3n],
      ['closed', 1n],
    ]);
    // 90+ at M−1: L05 270, L09 370, L11 331, L12 240, L13 330, L14 239 → 5 stay 90+, L09 written off
    const from90 = rows.filter((r) => r.from_bucket === '90+');
    expect(from90.map((r) => [r.to_bucket, r.loans])).toEqual([
      ['90+', 5n],
      ['written_off', 1n],
    ]);
    expect(from90[0]!.share).toBeCloseTo(5 / 6, 10);
  });
});
