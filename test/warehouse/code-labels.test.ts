import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CODE_LABELS } from '../../transforms/warehouse/code-labels.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * core.dim_code_labels on the hand-worked KPI fixture (test/helpers/kpi-fixture.ts): every code
 * the report shows has one Chinese and one English label, from one place. Branches and products
 * come from their extracts (test/helpers/reference-rows.ts: BJ01 北京分行 / Beijing Branch), the
 * other codes from transforms/warehouse/code-labels.ts.
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

const label = async (kind: string, code: string) =>
  (await wh.all<{ label: string }>(`SELECT label FROM core.dim_code_labels WHERE kind = '${kind}' AND code = '${code}'`))[0]?.label;

describe('core.dim_code_labels', () => {
  it('branches and products are labelled from their extracts, Chinese then English', async () => {
    expect(await label('branch', 'BJ01')).toBe('北京分行 Beijing Branch');
    expect(await label('branch', 'SH01')).toBe('上海分行 Shanghai Branch');
    expect(await label('product', 'mortgage')).toMatch(/^\S+ \S/); // '个人住房贷款 Residential mortgage'
  });

  it('codes without reference data get both labels: five classes, customer types, grades, slices', async () => {
    expect(await label('five_class', '关注')).toBe('关注 Special mention');
    expect(await label('customer_type', 'small_business')).toBe('小微企业 Small business');
    expect(await label('grade', 'C')).toBe('C 高风险 High risk');
    expect(await label('slice', 'all')).toBe('全行 Whole bank');
  });

  it('every code of the marts the site shows has a label (no raw code reaches a page)', async () => {
    const missing = await wh.all<{ what: string }>(`
      SELECT DISTINCT 'lag_bucket ' || lag_bucket AS what FROM marts.mart_warning__lag_distribution
        WHERE lag_bucket NOT IN (SELECT code FROM core.dim_code_labels WHERE kind = 'lag_bucket')
      UNION ALL SELECT DISTINCT 'five_class ' || recorded_class FROM marts.mart_credit__five_category_distribution
        WHERE recorded_class NOT IN (SELECT code FROM core.dim_code_labels WHERE kind = 'five_class')
      UNION ALL SELECT DISTINCT 'bucket ' || from_bucket FROM marts.mart_risk__roll_rates
        WHERE from_bucket NOT IN (SELECT code FROM core.dim_code_labels WHERE kind = 'delinquency_bucket')
      UNION ALL SELECT DISTINCT 'migration ' || to_class FROM marts.mart_credit__class_migrations
        WHERE to_class NOT IN (SELECT code FROM core.dim_code_labels WHERE kind = 'migration_state')
      UNION ALL SELECT DISTINCT 'movement ' || movement FROM marts.mart_risk__npl_movements
        WHERE movement NOT IN (SELECT code FROM core.dim_code_labels WHERE kind = 'npl_movement')
      UNION ALL SELECT DISTINCT k.slice || ' ' || k.slice_value FROM metrics.kpi_values k
        WHERE k.slice <> 'all' AND k.slice_value NOT IN (SELECT code FROM core.dim_code_labels l WHERE l.kind = k.slice)`);
    expect(missing).toEqual([]);
  });

  it('lag buckets are labelled in the mart order (0 days first, 31+ last)', async () => {
    // The mart numbers its buckets 1 … 8 (bucket_order); the label table must sort them the same way,
    // or the lag chart's series come out of order.
    const rows = await wh.all<{ lag_bucket: string; bucket_order: number; sort_order: number }>(`
      SELECT DISTINCT d.lag_bucket, d.bucket_order::INTEGER AS bucket_order, l.sort_order::INTEGER AS sort_order
      FROM marts.mart_warning__lag_distribution d JOIN core.dim_code_labels l ON l.kind = 'lag_bucket' AND l.code = d.lag_bucket`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.sort_order).toBe(r.bucket_order);
  });

  it('one label per kind and code, orders 1 … n within a kind', () => {
    const keys = CODE_LABELS.map((l) => `${l.kind}|${l.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    const byKind = new Map<string, number[]>();
    for (const l of CODE_LABELS) byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), l.order]);
    for (const [, orders] of byKind) expect(orders).toEqual(orders.map((_, i) => i + 1));
  });
});
