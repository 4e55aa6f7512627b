import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { commentaryRows, writeKpiCommentary } from '../../transforms/kpi/commentary.js';
import { writeKpiContributions } from '../../transforms/kpi/contributions.js';
import type { MetricDefinition } from '../../transforms/kpi/metric.js';

/**
 * The commentary of a hand-made month (2026-10) of one ratio KPI (npl_ratio, percent, 2 decimals):
 *
 *   branch  Sep N / D      Oct N / D
 *   BJ01     1 / 100       10 / 100
 *   SH01     2 / 100        1 / 100
 *   bank     3 / 200 = 1.50 %   11 / 200 = 5.50 %   change +4.00 pp
 *   contributions (R_Sep = 0.015): BJ01 (10 − 1.5)/200 − (1 − 1.5)/200 = 0.0425 + 0.0025 = +0.045 → +4.50 pp
 *                                  SH01 (1 − 1.5)/200 − (2 − 1.5)/200 = −0.0025 − 0.0025 = −0.005 → −0.50 pp
 *   product MORT: the whole bank (same numbers) → +4.00 pp.
 *
 * Balances (yuan): Oct loans 2,000,000,000 (20.00 亿元), Sep 1,990,000,000 (+1,000.00 万元),
 * Dec 2025 2,010,000,000 (−1,000.00 万元); NPL Oct 110,000,000 (11,000.00 万元), Sep 30,000,000
 * (+8,000.00 万元), Dec 2025 none; provisions 150,000,000 (15,000.00 万元).
 */
const npl = {
  id: 'npl_ratio',
  nameZh: '不良贷款率',
  nameEn: 'NPL ratio',
  unit: 'ratio',
  formula: { kind: 'ratio' },
  dimensions: ['branch_id', 'product_id'],
  sortOrder: 10,
} as unknown as MetricDefinition;

let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await openWarehouse(':memory:');
  await wh.exec(`CREATE SCHEMA metrics; CREATE SCHEMA marts; CREATE SCHEMA core;
    CREATE TABLE core.dim_branches (branch_id VARCHAR, branch_name_zh VARCHAR, branch_name_en VARCHAR);
    INSERT INTO core.dim_branches VALUES ('BJ01', '北京分行', 'Beijing Branch'), ('SH01', '上海分行', 'Shanghai Branch');
    CREATE TABLE core.dim_products (product_id VARCHAR, product_name_zh VARCHAR, product_name_en VARCHAR);
    INSERT INTO core.dim_products VALUES ('MORT', '个人住房贷款', 'Mortgage');
    CREATE TABLE marts.mart_credit__portfolio_monthly (as_of_month DATE, branch_id VARCHAR, balance DECIMAL(18,2), npl_balance DECIMAL(18,2), provision_amount DECIMAL(18,2));
    INSERT INTO marts.mart_credit__portfolio_monthly VALUES
      ('2025-12-31', 'BJ01', 2010000000, 0, 0),
      ('2026-09-30', 'BJ01', 1000000000, 10000000, 0), ('2026-09-30', 'SH01', 990000000, 20000000, 0),
      ('2026-10-31', 'BJ01', 1000000000, 100000000, 100000000), ('2026-10-31', 'SH01', 1000000000, 10000000, 50000000);
    CREATE TABLE metrics.kpi_values (metric_id VARCHAR, as_of_month DATE, slice VARCHAR, slice_value VARCHAR, slice_label VARCHAR,
      numerator DOUBLE, denominator DOUBLE, value DOUBLE, status VARCHAR);
    INSERT INTO metrics.kpi_values VALUES
      ('npl_ratio', '2026-09-30', 'all', 'ALL', '全部', 3, 200, 0.015, 'measured'),
      ('npl_ratio', '2026-10-31', 'all', 'ALL', '全部', 11, 200, 0.055, 'measured'),
      ('npl_ratio', '2026-09-30', 'branch', 'BJ01', '北京分行', 1, 100, 0.01, 'measured'),
      ('npl_ratio', '2026-10-31', 'branch', 'BJ01', '北京分行', 10, 100, 0.1, 'measured'),
      ('npl_ratio', '2026-09-30', 'branch', 'SH01', '上海分行', 2, 100, 0.02, 'measured'),
      ('npl_ratio', '2026-10-31', 'branch', 'SH01', '上海分行', 1, 100, 0.01, 'measured'),
      ('npl_ratio', '2026-09-30', 'product', 'MORT', '个人住房贷款', 3, 200, 0.015, 'measured'),
      ('npl_ratio', '2026-10-31', 'product', 'MORT', '个人住房贷款', 11, 200, 0.055, 'measured');`);
  await writeKpiContributions(wh, [npl]);
  await writeKpiCommentary(wh, [npl]);
});

afterAll(async () => {
  await wh?.close();
});

const text = (month: string, slice: string, value: string) =>
  wh.all<{ seq: number; topic: string; text_zh: string; text_en: string }>(
    `SELECT seq, topic, text_zh, text_en FROM metrics.kpi_commentary
     WHERE as_of_month = DATE '${month}' AND slice = '${slice}' AND slice_value = '${value}' ORDER BY seq`,
  );

describe('kpi_commentary', () => {
  it('states the balances with 比上月 and 比年初, in 亿元 / 万元', async () => {
    const [b] = await text('2026-10-31', 'all', 'ALL');
    expect(b!.topic).toBe('balances');
    expect(b!.text_zh).toBe(
      '各项贷款余额 20.00 亿元，比上月增加 1,000.00 万元，比年初减少 1,000.00 万元；不良贷款余额 11,000.00 万元，比上月增加 8,000.00 万元，比年初增加 11,000.00 万元；贷款损失准备余额 15,000.00 万元。',
    );
    expect(b!.text_en).toContain('Loans outstanding 20.00 亿元 (CNY 100m), up 1,000.00 万元 (CNY 10k) on the month, down 1,000.00 万元 (CNY 10k) on the start of the year');
  });

  it('says what moved, by how many points, and where (largest branch and product of the same sign)', async () => {
    const [, k] = await text('2026-10-31', 'all', 'ALL');
    expect(k!.text_zh).toBe('不良贷款率较上月上升 4.00 个百分点至 5.50%，主要来自北京分行（+4.50 个百分点）和个人住房贷款（+4.00 个百分点）。');
    expect(k!.text_en).toBe('NPL ratio rose 4.00 pp to 5.50%, mainly from Beijing Branch (+4.50 pp) and Mortgage (+4.00 pp).');
  });

  it('gives each branch its own move and its pull on the bank', async () => {
    const [sh] = await text('2026-10-31', 'branch', 'SH01');
    expect(sh!.text_zh).toBe('上海分行不良贷款率由 2.00% 变为 1.00%，拉动全行下降 0.50 个百分点。');
    expect(sh!.text_en).toBe('Shanghai Branch: NPL ratio went from 2.00% to 1.00%, moving the whole bank by −0.50 pp.');
  });

  it('says nothing about a KPI whose change rounds to zero at its display precision', () => {
    // 0.015 → 0.01504: +0.004 pp, shown as 0.00 pp.
    const rows = commentaryRows([npl], [], [{ metric_id: 'npl_ratio', as_of_month: '2026-10-31', value: 0.01504, prev_value: 0.015 }], []);
    expect(rows).toEqual([]);
  });
});
