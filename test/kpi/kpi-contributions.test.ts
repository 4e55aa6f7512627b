import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { UNATTRIBUTED, writeKpiContributions } from '../../transforms/kpi/contributions.js';
import type { MetricDefinition } from '../../transforms/kpi/metric.js';

/**
 * metrics.kpi_contributions on a hand-made metrics.kpi_values (one ratio KPI "r", two months):
 *
 *   branch  Sep N / D   Oct N / D
 *   A        2 / 100     6 / 100
 *   B        3 / 100     3 / 50
 *   C        —           1 / 50     (appears in Oct)
 *   D        1 / 100     —          (disappears in Oct)
 *   bank     6 / 300    10 / 200    R_Sep = 0.02, R_Oct = 0.05, change = +0.03
 *
 * contribution_i = (N_i,Oct − 0.02·D_i,Oct)/200 − (N_i,Sep − 0.02·D_i,Sep)/300
 *   A: (6 − 2)/200 − (2 − 2)/300 = 0.02
 *   B: (3 − 1)/200 − (3 − 2)/300 = 0.01 − 0.0033333… = 0.0066667
 *   C: (1 − 1)/200 − 0            = 0
 *   D: 0 − (1 − 2)/300            = +0.0033333
 *   sum = 0.03 = the change.
 *
 * Products cover only part of the bank: P1 Sep 5 / 200, Oct 8 / 150; the rest is the residual
 * "(unattributed)": Sep 1 / 100, Oct 2 / 50.
 *   P1:       (8 − 3)/200 − (5 − 4)/300 = 0.025 − 0.0033333 = 0.0216667
 *   residual: (2 − 1)/200 − (1 − 2)/300 = 0.005 + 0.0033333 = 0.0083333;  sum = 0.03.
 * August is no_data for the bank: September has no rows (no measured previous month).
 * Metric "n" (a median, formula kind custom) gets no rows.
 */
const metrics = [
  { id: 'r', formula: { kind: 'ratio' }, dimensions: ['branch_id', 'product_id'], sortOrder: 1 },
  { id: 'n', formula: { kind: 'custom' }, dimensions: ['branch_id'], sortOrder: 2 },
] as unknown as Pick<MetricDefinition, 'id' | 'formula' | 'dimensions' | 'sortOrder'>[];

let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await openWarehouse(':memory:');
  await wh.exec(`CREATE SCHEMA metrics;
    CREATE TABLE metrics.kpi_values (metric_id VARCHAR, as_of_month DATE, slice VARCHAR, slice_value VARCHAR, slice_label VARCHAR,
      numerator DOUBLE, denominator DOUBLE, value DOUBLE, status VARCHAR);
    INSERT INTO metrics.kpi_values VALUES
      ('r', '2026-08-31', 'all', 'ALL', '全部', NULL, NULL, NULL, 'no_data'),
      ('r', '2026-08-31', 'branch', 'A', 'A行', 1, 100, 0.01, 'measured'),
      ('r', '2026-09-30', 'all', 'ALL', '全部', 6, 300, 0.02, 'measured'),
      ('r', '2026-10-31', 'all', 'ALL', '全部', 10, 200, 0.05, 'measured'),
      ('r', '2026-09-30', 'branch', 'A', 'A行', 2, 100, 0.02, 'measured'),
      ('r', '2026-10-31', 'branch', 'A', 'A行', 6, 100, 0.06, 'measured'),
      ('r', '2026-09-30', 'branch', 'B', 'B行', 3, 100, 0.03, 'measured'),
      ('r', '2026-10-31', 'branch', 'B', 'B行', 3, 50, 0.06, 'measured'),
      ('r', '2026-10-31', 'branch', 'C', 'C行', 1, 50, 0.02, 'measured'),
      ('r', '2026-09-30', 'branch', 'D', 'D行', 1, 100, 0.01, 'measured'),
      ('r', '2026-09-30', 'product', 'P1', '产品1', 5, 200, 0.025, 'measured'),
      ('r', '2026-10-31', 'product', 'P1', '产品1', 8, 150, 0.0533, 'measured'),
      ('n', '2026-09-30', 'all', 'ALL', '全部', NULL, NULL, 5, 'measured'),
      ('n', '2026-10-31', 'all', 'ALL', '全部', NULL, NULL, 7, 'measured');`);
  await writeKpiContributions(wh, metrics);
});

afterAll(async () => {
  await wh?.close();
});

interface Row {
  metric_id: string;
  month: string;
  dimension: string;
  slice_value: string;
  contribution: number;
  bank_change: number;
  rank: number;
}

const rows = () =>
  wh.all<Row>(
    `SELECT metric_id, strftime(as_of_month, '%Y-%m') AS month, dimension, slice_value, contribution, bank_change, rank
     FROM metrics.kpi_contributions ORDER BY dimension, slice_value`,
  );

describe('kpi_contributions', () => {
  it('gives each branch its hand-worked contribution, including one that appears and one that disappears', async () => {
    const r = (await rows()).filter((x) => x.dimension === 'branch');
    expect(r.map((x) => x.slice_value)).toEqual(['A', 'B', 'C', 'D']);
    expect(r.every((x) => x.month === '2026-10' && x.metric_id === 'r')).toBe(true);
    const c = Object.fromEntries(r.map((x) => [x.slice_value, x.contribution]));
    expect(c.A).toBeCloseTo(0.02, 12);
    expect(c.B).toBeCloseTo(0.01 - 1 / 300, 12);
    expect(c.C).toBeCloseTo(0, 12);
    expect(c.D).toBeCloseTo(1 / 300, 12);
    expect(r[0]!.bank_change).toBeCloseTo(0.03, 12);
    expect(Object.fromEntries(r.map((x) => [x.slice_value, x.rank]))).toEqual({ A: 1, B: 2, D: 3, C: 4 });
  });

  it('sums exactly to the whole-bank change, with the part in no product as the residual row', async () => {
    const all = await rows();
    for (const dim of ['branch', 'product']) {
      const r = all.filter((x) => x.dimension === dim);
      const sum = r.reduce((s, x) => s + x.contribution, 0);
      expect(Math.abs(sum - 0.03), dim).toBeLessThan(1e-15);
    }
    const p = Object.fromEntries(all.filter((x) => x.dimension === 'product').map((x) => [x.slice_value, x.contribution]));
    expect(Object.keys(p).sort()).toEqual(['(unattributed)', 'P1'].sort());
    expect(p.P1).toBeCloseTo(0.025 - 1 / 300, 12);
    expect(p[UNATTRIBUTED]).toBeCloseTo(0.005 + 1 / 300, 12);
  });

  it('has no rows after a month the bank was not measured, nor for a non-ratio KPI', async () => {
    const all = await rows();
    expect(all.some((x) => x.month === '2026-09')).toBe(false);
    expect(all.some((x) => x.metric_id === 'n')).toBe(false);
  });
});
