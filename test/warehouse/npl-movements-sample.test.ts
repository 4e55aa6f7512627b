import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { generateSample } from '../../transforms/sample/generate-sample.js';

/**
 * The NPL movement waterfall over every month of a small generated sample (real generator, loader,
 * build): 9 months from 2024-11, so the December and June NPL transfer batches of the generator
 * (transforms/sample/model-parameters.ts `transfer`) fall inside. For every month and every slice
 * (whole bank, each branch, each product): closing = the NPL balance of the KPI tables
 * (metrics.kpi_values npl_ratio numerator), opening = the previous month's closing, and the bars
 * add up to the fen; the loans behind every line add up to it.
 */
let root: string;
let wh: WarehouseHandle;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-npl-movements-'));
  await generateSample({ customers: 400, months: 9, seed: 7, out: join(root, 'extracts') });
  wh = await openWarehouse(':memory:');
  await loadExtracts(wh, join(root, 'extracts'));
  await buildWarehouse(wh);
}, 600_000);

afterAll(async () => {
  await wh?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('NPL movement waterfall on a generated sample, every month and slice', () => {
  it('has a waterfall for every month after the first, for the whole bank, every branch and every product', async () => {
    const rows = await wh.all<{ slice: string; months: bigint }>(
      `SELECT slice, count(DISTINCT as_of_month) AS months FROM marts.mart_risk__npl_movements GROUP BY slice ORDER BY slice`,
    );
    expect(rows.map((r) => [r.slice, Number(r.months)])).toEqual([
      ['all', 8],
      ['branch', 8],
      ['product', 8],
    ]);
  });

  it('closing = the KPI NPL balance; opening = the previous closing (or the KPI balance of the first month)', async () => {
    const checked = await wh.all<{ slice: string; as_of_month: Date; opening: bigint; closing: bigint; kpi_now: bigint | null; kpi_prev: bigint | null; prev_closing: bigint | null }>(`
      WITH k AS (
        SELECT as_of_month, slice, slice_value, CAST(round(numerator * 100) AS BIGINT) AS fen
        FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice IN ('all', 'branch', 'product')
      ), m AS (
        SELECT n.as_of_month, n.slice, n.slice_value, d.prev_month_end,
          CAST(sum(n.balance) FILTER (WHERE n.movement = 'opening') * 100 AS BIGINT) AS opening,
          CAST(sum(n.balance) FILTER (WHERE n.movement = 'closing') * 100 AS BIGINT) AS closing
        FROM marts.mart_risk__npl_movements n JOIN core.dim_months d USING (as_of_month) GROUP BY ALL
      )
      SELECT m.slice, m.as_of_month, m.opening, m.closing, kc.fen AS kpi_now, kp.fen AS kpi_prev, pm.closing AS prev_closing
      FROM m
      LEFT JOIN k kc ON kc.as_of_month = m.as_of_month AND kc.slice = m.slice AND kc.slice_value = m.slice_value
      LEFT JOIN k kp ON kp.as_of_month = m.prev_month_end AND kp.slice = m.slice AND kp.slice_value = m.slice_value
      LEFT JOIN m pm ON pm.as_of_month = m.prev_month_end AND pm.slice = m.slice AND pm.slice_value = m.slice_value`);
    expect(checked.length).toBeGreaterThan(8 * 3);
    for (const r of checked) {
      const at = `${r.slice} ${r.as_of_month.toISOString().slice(0, 7)}`;
      expect(r.closing, at).toBe(r.kpi_now ?? 0n);
      expect(r.opening, at).toBe(r.kpi_prev ?? 0n);
      if (r.prev_closing !== null) expect(r.opening, at).toBe(r.prev_closing);
    }
    // the test is not empty: the book has NPLs every month
    expect(checked.filter((r) => r.slice === 'all').every((r) => r.closing > 0n)).toBe(true);
  });

  it('opening + Σ sign × bar = closing for every month and slice, and the loans behind each line add up to it', async () => {
    const off = await wh.all(`
      SELECT as_of_month, slice, slice_value FROM marts.mart_risk__npl_movements GROUP BY ALL
      HAVING sum(CASE WHEN movement = 'opening' THEN balance WHEN movement = 'closing' THEN -balance ELSE sign * balance END) <> 0`);
    expect(off).toEqual([]);
    const mismatch = await wh.all(`
      WITH l AS (SELECT as_of_month, slice, slice_value, movement, count(*) AS loans, sum(balance) AS balance
                 FROM marts.mart_risk__npl_movement_loans GROUP BY ALL)
      SELECT * FROM marts.mart_risk__npl_movements m FULL JOIN l USING (as_of_month, slice, slice_value, movement)
      WHERE coalesce(m.loans, 0) <> coalesce(l.loans, 0) OR coalesce(m.balance, 0) <> coalesce(l.balance, 0)`);
    expect(mismatch).toEqual([]);
  });

  it('the generator transfers NPLs in June and December only, and they show as transfers (转让/处置)', async () => {
    const t = await wh.all<{ month: string; loans: bigint }>(
      `SELECT strftime(as_of_month, '%m') AS month, sum(loans) AS loans FROM marts.mart_risk__npl_movements
       WHERE slice = 'all' AND movement = 'transferred' AND loans > 0 GROUP BY 1 ORDER BY 1`,
    );
    expect(t.length).toBeGreaterThan(0);
    for (const r of t) expect(['06', '12']).toContain(r.month);
    const [statuses] = await wh.all<{ n: bigint; ok: bigint }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE loan_status = 'transferred' AND prev_class IN ('次级', '可疑', '损失')) AS ok
       FROM marts.mart_risk__npl_movement_loans WHERE slice = 'all' AND movement = 'transferred'`,
    );
    expect(Number(statuses!.n)).toBeGreaterThan(0);
    expect(statuses!.ok).toBe(statuses!.n);
  });
});
