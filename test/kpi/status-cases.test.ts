import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogEntry } from '../../transforms/kpi/catalog.js';
import { compileMetricSql } from '../../transforms/kpi/compile-metric.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import { defineMetric, displayOf, targetOp, type MetricDefinition, type MetricDirection, type TargetOp } from '../../transforms/kpi/metric.js';
import { ragDigits, ragOf, ragSql, statusChange, STATUS_LABELS } from '../../transforms/kpi/rag.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * Statuses that agree with their targets (issue 17, item 3): one table of cases, each with the
 * status a reader must see, run through the real engine on DuckDB (the hand-built KPI fixture,
 * test/helpers/kpi-fixture.ts, or a metric defined here over a SELECT, compiled by compileMetricSql).
 */

interface SiteFormat {
  fmtValue(v: unknown, meta: unknown): string;
  fmtChange(v: unknown, meta: unknown): string;
  fmtTarget(row: unknown): string;
  isCapped(v: unknown, meta: unknown): boolean;
  statusOf(row: unknown): string;
  statusLabel(row: unknown): string;
  statusChangeOf(row: unknown): string | null;
  fmtN(row: unknown): string;
  isNoData(row: unknown): boolean;
}
const SITE_FORMAT = '../../components/kpi-format.js';
const site = (await import(SITE_FORMAT)) as SiteFormat;

const byId = async (id: string): Promise<MetricDefinition> => (await discoverMetrics()).find((m) => m.id === id)!;
const label = (k: keyof typeof STATUS_LABELS) => `${STATUS_LABELS[k].zh} ${STATUS_LABELS[k].en}`;

/** Runs a site source query (sources/warehouse/*.sql): what the browser gets. */
async function siteSource(wh: WarehouseHandle, name: string): Promise<Record<string, unknown>[]> {
  return wh.all(readFileSync(join('sources/warehouse', `${name}.sql`), 'utf8'));
}

describe('the RAG rule: ragOf and its SQL twin ragSql judge the same table the same way', () => {
  // [value, target, direction, op, tolerance, digits, expected]; digits = decimals in the value's unit (percent 2 → 4).
  const CASES: [number | null, number | null, MetricDirection, TargetOp, number, number | undefined, string, string][] = [
    [0.02004, 0.02, 'lower_is_better', '<=', 0.005, 4, 'green', '2.004 % is shown 2.00 %: meets ≤ 2.00 %'],
    [0.02006, 0.02, 'lower_is_better', '<=', 0.005, 4, 'amber', '2.006 % is shown 2.01 %: misses by 0.01 pp, within 0.5 pp'],
    [0.02504, 0.02, 'lower_is_better', '<=', 0.005, 4, 'amber', '2.504 % is shown 2.50 %: exactly target + tolerance'],
    [0.02506, 0.02, 'lower_is_better', '<=', 0.005, 4, 'red', '2.506 % is shown 2.51 %: beyond the band'],
    [0.00003, 0, 'lower_is_better', '<=', 0.005, 4, 'green', 'a tiny positive value shown 0.00 % meets ≤ 0.00 %'],
    [0.00003, 0, 'lower_is_better', '<=', 0.005, undefined, 'amber', 'unrounded (the old rule) it was amber'],
    [0, 0, 'lower_is_better', '<=', 0.005, 4, 'green', '0.00 % churn against a target clamped to 0 %'],
    [0.0143, 0.0148, 'lower_is_better', '<=', 0.005, 4, 'green', '1.43 % against 1.48 %'],
    [0.04996, 0.05, 'lower_is_better', '<', 0.02, 4, 'amber', '"< 5 %": 4.996 % is shown 5.00 %, not below 5 %'],
    [84.04, 84, 'higher_is_better', '>=', 2, 1, 'green', 'a score 84.04 is shown 84.0: meets ≥ 84.0'],
    [81.96, 84, 'higher_is_better', '>=', 2, 1, 'amber', '81.96 is shown 82.0: exactly target − tolerance'],
    [0.7496, 0.75, 'higher_is_better', '>=', 0.05, 3, 'green', 'AUC 0.7496 is shown 0.750'],
    [null, 0.02, 'lower_is_better', '<=', 0.005, 4, 'none', 'no value'],
    [0.02, null, 'lower_is_better', '<=', 0.005, 4, 'none', 'no target'],
  ];

  it.each(CASES.map((c) => [c[7], c] as const))('%s', async (_name, [v, t, d, op, tol, digits, expected]) => {
    expect(ragOf(v, t, d, op, tol, digits)).toBe(expected);
  });

  it('the SQL twin gives the same status for every case (one DuckDB table)', async () => {
    const mem = await openWarehouse(':memory:');
    try {
      const values = CASES.map((c, i) => `(${i}, ${c[0] ?? 'NULL'}::DOUBLE, ${c[1] ?? 'NULL'}::DOUBLE)`).join(', ');
      await mem.exec(`CREATE TABLE cases AS SELECT * FROM (VALUES ${values}) AS t(i, v, t)`);
      const select = CASES.map((c, i) => `WHEN i = ${i} THEN ${ragSql('v', 't', c[2], c[3], c[4], c[5])}`).join(' ');
      const rows = await mem.all<{ rag: string }>(`SELECT CASE ${select} END AS rag FROM cases ORDER BY i`);
      expect(rows.map((r) => r.rag)).toEqual(CASES.map((c) => c[6]));
    } finally {
      await mem.close();
    }
  });

  it('"turned green" only for a real change of colour: ranks green > amber > red, target_moved when only the target moved', () => {
    expect(statusChange('amber', 'green', 0.5, 'higher_is_better', false)).toBe('better');
    expect(statusChange('green', 'red', -3, 'higher_is_better', false)).toBe('worse');
    // Satisfaction 84.0 → 82.3 (fell) while its prior-year target fell from 86.0 to 80.0: amber → green, not "turned green".
    expect(statusChange('amber', 'green', -1.7, 'higher_is_better', true)).toBe('target_moved');
    // A month without a colour is never a turn.
    for (const s of ['none', 'no_data', 'too_few']) {
      expect(statusChange(s, 'green', 1, 'higher_is_better', false)).toBeNull();
      expect(statusChange('green', s, 1, 'higher_is_better', false)).toBeNull();
    }
    expect(statusChange('green', 'green', 1, 'higher_is_better', true)).toBeNull();
  });
});

/** A ratio KPI over a SELECT (branch_id slices), compiled by the real engine into the fixture warehouse. */
function boundaryMetric(id: string, target: number, tolerance: number, rows: [string, number, number][]): MetricDefinition {
  const src = `SELECT DATE '${M}' AS as_of_month, branch_id, num, den FROM (VALUES ${rows.map(([b, n, d]) => `('${b}', ${n}, ${d})`).join(', ')}) AS t(branch_id, num, den)`;
  return defineMetric({
    id,
    nameZh: '测试',
    nameEn: 'Test',
    description: 'A boundary case.',
    descriptionZh: '边界用例。',
    unit: 'ratio',
    direction: 'lower_is_better',
    grain: 'month_end',
    dimensions: ['branch_id'],
    formula: {
      kind: 'ratio', text: '分子 ÷ 分母', textEn: 'num ÷ den',
      numerator: { from: src, measure: 'sum(num)', text: 'num', textZh: '分子' }, denominator: { from: src, measure: 'sum(den)', text: 'den', textZh: '分母' },
    },
    target: { kind: 'fixed', value: target, op: '<=' },
    tolerance,
    policySource: 'test',
    sortOrder: 999,
    inputs: ['loan_balances'],
  });
}

describe('status cases through the engine (hand-built fixture, M = 2026-10)', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    wh = await kpiFixtureWarehouse();
  }, 120_000);
  afterAll(async () => wh?.close());

  const row = async (table: string, where: string) => {
    const rows = await wh.all<Record<string, unknown>>(`SELECT * FROM ${table} WHERE as_of_month = DATE '${M}' AND ${where}`);
    expect(rows, `${table} ${where}`).toHaveLength(1);
    return rows[0]!;
  };

  it('rounding at the boundary: 2.004 % vs ≤ 2 % green, 2.006 % amber, 2.504 % amber, 2.506 % red; ragOf agrees row by row', async () => {
    // 2004 ÷ 100000 = 0.02004 (2.00 %), 2006 ÷ 100000 = 0.02006 (2.01 %), 2504 → 2.50 %, 2506 → 2.51 %.
    const m = boundaryMetric('test_boundary', 0.02, 0.005, [['B2004', 2004, 100000], ['B2006', 2006, 100000], ['B2504', 2504, 100000], ['B2506', 2506, 100000]]);
    await wh.exec(`CREATE OR REPLACE TABLE metrics.kpi_test_boundary AS ${compileMetricSql(m, wh.db)}`);
    const got = await wh.all<{ branch_id: string; value: number; target: number; rag: string }>(
      `SELECT branch_id, value, target, rag FROM metrics.kpi_test_boundary WHERE as_of_month = DATE '${M}' AND branch_id IS NOT NULL ORDER BY branch_id`,
    );
    expect(got.map((r) => [r.branch_id, r.rag])).toEqual([['B2004', 'green'], ['B2006', 'amber'], ['B2504', 'amber'], ['B2506', 'red']]);
    // The values themselves are untouched (rounding is for judging only).
    expect(got[0]!.value).toBe(0.02004);
    for (const r of got) expect(ragOf(r.value, r.target, m.direction, targetOp(m), m.tolerance, ragDigits(displayOf(m))), r.branch_id).toBe(r.rag);
  });

  it('PSI bands through the real model_psi definition: green below 0.10, amber 0.10–0.25, red above 0.25, judged at the shown 3 decimals', async () => {
    // The metric's own target (< 0.10), tolerance (0.15) and display (3 decimals); only its source is a table of PSI
    // values, one per branch (a copy sliced by branch so that one month holds every case):
    //   0.0994 → shown 0.099 < 0.100: green    0.0999 → shown 0.100, not below 0.10: amber    0.1 → amber
    //   0.25 → 0.10 + 0.15: amber              0.2501 → shown 0.250: amber                    0.2506 → shown 0.251: red
    const psi = await byId('model_psi');
    const cases: [string, number, string][] = [['A0994', 0.0994, 'green'], ['A0999', 0.0999, 'amber'], ['A1000', 0.1, 'amber'], ['A2500', 0.25, 'amber'], ['A2501', 0.2501, 'amber'], ['A2506', 0.2506, 'red']];
    const src = `SELECT DATE '${M}' AS as_of_month, branch_id, 1 AS bin, 1000 AS month_scores, 1000 AS reference_total, v AS psi_contribution
      FROM (VALUES ${cases.map(([b, v]) => `('${b}', ${v}::DOUBLE)`).join(', ')}) AS t(branch_id, v)`;
    const m = defineMetric({ ...psi, id: 'test_psi_bands', dimensions: ['branch_id'], formula: { ...(psi.formula as Extract<MetricDefinition['formula'], { kind: 'custom' }>), from: src } });
    await wh.exec(`CREATE OR REPLACE TABLE metrics.kpi_test_psi_bands AS ${compileMetricSql(m, wh.db, ['as_of_month', 'branch_id', 'bin', 'month_scores', 'reference_total', 'psi_contribution'])}`);
    const got = await wh.all<{ branch_id: string; value: number; target: number; rag: string; status: string }>(
      `SELECT branch_id, value, target, rag, status FROM metrics.kpi_test_psi_bands WHERE as_of_month = DATE '${M}' AND branch_id IS NOT NULL ORDER BY branch_id`,
    );
    expect(got.map((r) => [r.branch_id, r.rag])).toEqual(cases.map(([b, , rag]) => [b, rag]));
    expect(got.every((r) => r.status === 'measured' && r.target === 0.1)).toBe(true);
    for (const r of got) expect(ragOf(r.value, r.target, psi.direction, targetOp(psi), psi.tolerance, ragDigits(displayOf(psi))), r.branch_id).toBe(r.rag);
    expect([targetOp(psi), psi.tolerance, displayOf(psi)]).toEqual(['<', 0.15, { format: 'number', decimals: 3 }]);
    expect(catalogEntry(psi)).toMatchObject({ target_text: '< 0.100' });
  });

  it('"= 0 %" (≤ 0.00 %) with a tiny positive value shown 0.00 % is green, not amber', async () => {
    // 3 ÷ 100000 = 0.003 % → shown 0.00 %; 0 ÷ 5 = 0.
    const m = boundaryMetric('test_zero', 0, 0.005, [['TINY', 3, 100000], ['ZERO', 0, 5]]);
    await wh.exec(`CREATE OR REPLACE TABLE metrics.kpi_test_zero AS ${compileMetricSql(m, wh.db)}`);
    expect(await row('metrics.kpi_test_zero', "branch_id = 'TINY'")).toMatchObject({ value: 0.00003, target: 0, rag: 'green', status: 'measured' });
    expect(await row('metrics.kpi_test_zero', "branch_id = 'ZERO'")).toMatchObject({ value: 0, rag: 'green' });
  });

  it('a derived target is clamped at 0 and says so: churn of BJ01, 0 % a year earlier − 3 points → ≤ 0.00 %, not ≤ −3.00 %', async () => {
    // BJ01 2025-10: no BJ01 customer closed → 0; M: C07 of BJ01's 4 actives closed → 0.25 (red against ≤ 0).
    const r = await row('metrics.kpi_values', "metric_id = 'churn_rate' AND slice = 'branch' AND slice_value = 'BJ01'");
    expect(r).toMatchObject({ value: 0.25, baseline: 0, target: 0, target_clamped: true, rag: 'red' });
    expect(r.target_text).toBe('≤ 0.00%（上年同月 0.00% − 3 个百分点，下限 0.00%；prior year 0.00% − 3 pp, floor 0.00%）');
    // The whole book is not clamped: 1/9 a year earlier − 3 points = 8.11 %.
    const all = await row('metrics.kpi_values', "metric_id = 'churn_rate' AND slice = 'all'");
    expect(all).toMatchObject({ target_clamped: false });
    expect(all.baseline as number).toBeCloseTo(1 / 9, 12);
    expect(all.target as number).toBeCloseTo(1 / 9 - 0.03, 12);
    expect(all.target_text).toBe('≤ 8.11%（上年同月 11.11% − 3 个百分点；prior year 11.11% − 3 pp）');
    // No target where there is no baseline (2025-10: 2024-10 not loaded), never a clamped 0 out of nothing.
    const [first] = await wh.all<{ target: number | null; rag: string; target_text: string }>(
      `SELECT target, rag, target_text FROM metrics.kpi_values WHERE metric_id = 'churn_rate' AND slice = 'all' AND as_of_month = DATE '2025-10-31'`,
    );
    expect(first).toEqual({ target: null, rag: 'none', target_text: '无目标：上年同月无可比数据 No target: no measured value a year earlier' });
  });

  it('churn 0.00 % against a target clamped to ≤ 0 is green (small businesses: 0 a year earlier, 0 now)', async () => {
    expect(await row('metrics.kpi_values', "metric_id = 'churn_rate' AND slice = 'customer_type' AND slice_value = 'small_business'")).toMatchObject({
      value: 0,
      target: 0,
      target_clamped: true,
      rag: 'green',
      status_word: 'green',
      status_label: label('green'),
    });
  });

  it('too few samples: AUC of the whole book, 7 scores < 30 → "样本不足 Too few" with n, no colour; the value kept in the warehouse, not sent to the site', async () => {
    const r = await row('metrics.kpi_values', "metric_id = 'model_auc' AND slice = 'all'");
    expect(r).toMatchObject({ value: 0.9, rag: 'none', status: 'too_few', status_word: 'too_few', status_label: label('too_few'), n: 7, reason_code: 'too_few_observations' });
    expect(r.reason_en).toBe('Too few observations: evaluable scores 7, minimum 30');
    const s = (await siteSource(wh, 'kpi_values')).find((x) => x.metric_id === 'model_auc' && x.month === '2026-10' && x.slice === 'all')!;
    expect(s).toMatchObject({ value: null, status: 'too_few', rag_label: label('too_few'), n: 7 });
    expect(site.statusOf(s)).toBe('too_few');
    expect(site.isNoData(s)).toBe(true);
    expect(site.fmtN(s)).toBe('n = 7');
    // The catalog states the minimum: all three rules, and what n counts.
    const c = catalogEntry(await byId('model_auc'));
    expect(c).toMatchObject({ min_observations: 30, sample_text_en: 'evaluable scores' });
    expect(c.min_sample_en).toBe('at least 30 evaluable scores and at least 5 scores of defaulters and at least 5 scores of non-defaulters');
  });

  it('no month-on-month change from a month without a value: prev_value is NULL unless the previous month was measured', async () => {
    const [bad] = await wh.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM metrics.kpi_values WHERE prev_value IS NOT NULL AND prev_status_word NOT IN ('green', 'amber', 'red', 'none')`,
    );
    expect(bad!.n).toBe(0n);
    // Satisfaction at M (too_few, 4 responses) after 2026-09 (no surveys: no_data): no change, no turn.
    const r = await row('metrics.kpi_values', "metric_id = 'satisfaction_index' AND slice = 'all'");
    expect(r).toMatchObject({ prev_value: null, prev_status_word: 'no_data', status_change: null });
  });
});

describe('satisfaction fell 84.0 → 82.3 while its prior-year target fell: "目标变动 target moved", never "turned green"', () => {
  // 20 responses a month from C01–C05 (all on book every month), every score the same unless said:
  //   2025-09: 20 × 81 = 81.0  → the target of 2026-09 = 81.0 + 5 = 86.0
  //   2025-10: 20 × 75 = 75.0  → the target of 2026-10 = 75.0 + 5 = 80.0
  //   2026-09: 20 × 84 = 84.0  vs ≥ 86.0, tolerance 2 → amber (84.0 = 86.0 − 2)
  //   2026-10: 14 × 82 + 6 × 83 = 1,646 ÷ 20 = 82.3 vs ≥ 80.0 → green
  // The value fell by 1.7 points: the colour changed only because the target fell by 6 points.
  let wh: WarehouseHandle;
  const surveys = (date: string, prefix: string, scores: number[]) =>
    scores.map((sc, i) => ({
      survey_id: `${prefix}${String(i).padStart(2, '0')}`,
      customer_id: `C0${(i % 5) + 1}`,
      surveyed_on: `${date.slice(0, 8)}15`,
      channel: 'app',
      score: String(sc),
    }));
  beforeAll(async () => {
    wh = await kpiFixtureWarehouse((rows) => {
      rows['2025-09-30'].surveys = surveys('2025-09-30', 'SA', Array(20).fill(81));
      rows['2025-10-31'].surveys = surveys('2025-10-31', 'SB', Array(20).fill(75));
      rows['2026-09-30'].surveys = surveys('2026-09-30', 'SC', Array(20).fill(84));
      rows['2026-10-31'].surveys = surveys('2026-10-31', 'SD', [...Array(14).fill(82), ...Array(6).fill(83)]);
    });
  }, 120_000);
  afterAll(async () => wh?.close());

  it('the engine: amber → green with status_change target_moved, and the baseline carried per row', async () => {
    const [prev, cur] = await wh.all<Record<string, unknown>>(
      `SELECT value, target, baseline, rag, status, n, prev_value, prev_status_word, status_change, target_text FROM metrics.kpi_values
       WHERE metric_id = 'satisfaction_index' AND slice = 'all' AND as_of_month IN (DATE '2026-09-30', DATE '${M}') ORDER BY as_of_month`,
    );
    expect(prev).toMatchObject({ value: 84, baseline: 81, target: 86, rag: 'amber', status: 'measured', n: 20 });
    expect(cur).toMatchObject({ baseline: 75, target: 80, rag: 'green', prev_value: 84, prev_status_word: 'amber', status_change: 'target_moved' });
    expect(cur!.value as number).toBeCloseTo(82.3, 12);
    expect(cur!.target_text).toBe('≥ 80.0 分 pts（上年同月 75.0 + 5 分；prior year 75.0 + 5 pts）');
  });

  it('the site: the changes list calls it target_moved (from status_change, and by the same rule without it)', async () => {
    const rows = (await siteSource(wh, 'kpi_values')).filter((x) => x.metric_id === 'satisfaction_index' && x.slice === 'all');
    const cur = rows.find((x) => x.month === '2026-10')!;
    expect(cur).toMatchObject({ status_change: 'target_moved', prev_rag: 'amber', rag: 'green' });
    expect(site.statusChangeOf(cur)).toBe('target_moved');
    const c = catalogEntry(await byId('satisfaction_index'));
    const { status_change: _omitted, ...withoutColumn } = cur;
    expect(site.statusChangeOf({ ...withoutColumn, ...c })).toBe('target_moved');
    expect(site.fmtTarget({ ...cur, ...c })).toBe('≥ 80.0 分 pts（上年同月 75.0 + 5 分；prior year 75.0 + 5 pts）');
  });
});

describe('caps for extreme values (catalog display_cap / change_cap, applied by components/kpi-format.js)', () => {
  it('provision coverage 12,712.74 % reads "> 1,000%"; a change of −3,717.66 pp reads "< −100.00 pp"; an ordinary value is untouched', async () => {
    const c = catalogEntry(await byId('provision_coverage'));
    expect(c).toMatchObject({ display_cap: 10, display_cap_text: '> 1,000%', change_cap: 1 });
    expect(site.fmtValue(127.1274, c)).toBe('> 1,000%');
    expect(site.isCapped(127.1274, c)).toBe(true);
    expect(site.fmtValue(1.3935, c)).toBe('139.35%');
    expect(site.fmtChange(-37.1766, c)).toBe('< −100.00 pp');
    expect(site.fmtChange(0.0123, c)).toBe('+1.23 pp');
  });

  it('every KPI shown as a percent caps its changes at 100 pp; AUC (a plain number) has no cap', async () => {
    for (const m of await discoverMetrics()) {
      const c = catalogEntry(m);
      expect(c.change_cap, m.id).toBe(c.display_format === 'percent' ? 1 : null);
    }
    expect(catalogEntry(await byId('model_auc')).display_cap).toBeNull();
  });
});
