/**
 * A tiny DuckDB warehouse with exactly the shapes the report site reads
 * (`metrics.metric_catalog`, `metrics.kpi_values`), so the Evidence site can be built and
 * browser-tested before the real KPI engine exists. The real engine produces the same shapes.
 *
 * It also plants customer-level PII rows in `raw.customers` (a schema the site must never
 * read). {@link FIXTURE_PII_NEEDLES} lists those values: the PII scan of a site built from this
 * fixture must find none of them.
 *
 * @example
 * // npx tsx test/site/fixture-warehouse.ts /tmp/fixture.duckdb
 * await createFixtureWarehouse('/tmp/fixture.duckdb');
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openWarehouse, quoteLiteral } from '../../transforms/lib/duckdb.js';

/** The metrics in the fixture, in catalogue order. */
export const FIXTURE_METRICS = [
  {
    metric_id: 'npl_ratio',
    name_zh: '不良贷款率',
    name_en: 'Non-performing loan ratio',
    description: '五级分类为次级、可疑、损失的贷款余额占全部贷款余额的比例。',
    formula_text: '(次级+可疑+损失贷款余额) / 各项贷款余额',
    unit: 'ratio',
    direction: 'lower_is_better',
    target: 0.02,
    target_text: '≤ 2.00%',
    policy_source: '《商业银行风险监管核心指标》',
    sort_order: 1,
  },
  {
    metric_id: 'avg_days_past_due',
    name_zh: '平均逾期天数',
    name_en: 'Average days past due',
    description: '逾期贷款按余额加权的平均逾期天数。',
    formula_text: 'Σ(逾期天数 × 余额) / Σ逾期余额',
    unit: 'days',
    direction: 'lower_is_better',
    target: 30,
    target_text: '≤ 30 天',
    policy_source: '内部信贷政策 第3.2条',
    sort_order: 2,
  },
  {
    metric_id: 'warning_response_hours',
    name_zh: '预警响应时长',
    name_en: 'Early-warning response time',
    description: '预警信号产生到客户经理首次处置的中位小时数。',
    formula_text: 'median(处置时间 − 预警时间)',
    unit: 'hours',
    direction: 'lower_is_better',
    target: 48,
    target_text: '≤ 48 小时',
    policy_source: '风险预警管理办法 第12条',
    sort_order: 3,
  },
] as const;

/** Branches in the fixture's `branch` slice. */
export const FIXTURE_BRANCHES = ['城东支行', '城西支行'] as const;

/** Number of month-ends in the fixture, ending at {@link FIXTURE_LAST_MONTH}. */
export const FIXTURE_MONTHS = 13;
/** The latest `as_of_month` (a month-end date). */
export const FIXTURE_LAST_MONTH = '2026-10-31';

/**
 * Customer-level values planted in `raw.customers`. None of them may appear anywhere in a built
 * site (html, js, json, parquet/arrow strings). Chosen to be unlikely to occur by chance.
 */
export const FIXTURE_PII_NEEDLES = [
  '欧阳测试甲',
  '司马测试乙',
  '110101199001011234',
  '320102198512127658',
  '13800138000',
  '13912345678',
] as const;

/**
 * Creates (replacing any existing file) the fixture warehouse at `path`.
 * 3 metrics × 13 months × (slice `all` + 2 branches) = 117 rows in `metrics.kpi_values`.
 */
export async function createFixtureWarehouse(path: string): Promise<void> {
  for (const p of [path, `${path}.wal`]) if (existsSync(p)) rmSync(p);
  const wh = await openWarehouse(path);
  try {
    await wh.exec(`
      CREATE SCHEMA IF NOT EXISTS metrics;
      CREATE SCHEMA IF NOT EXISTS marts;
      CREATE SCHEMA IF NOT EXISTS raw;
      CREATE TABLE metrics.metric_catalog (
        metric_id VARCHAR, name_zh VARCHAR, name_en VARCHAR, description VARCHAR,
        formula_text VARCHAR, unit VARCHAR, direction VARCHAR, target DOUBLE,
        target_text VARCHAR, policy_source VARCHAR, sort_order INTEGER);
      CREATE TABLE metrics.kpi_values (
        metric_id VARCHAR, as_of_month DATE, slice VARCHAR, slice_value VARCHAR,
        numerator DOUBLE, denominator DOUBLE, value DOUBLE, target DOUBLE, rag VARCHAR);
      CREATE TABLE raw.customers (
        customer_id VARCHAR, name VARCHAR, id_number VARCHAR, phone VARCHAR, branch VARCHAR);
    `);

    const catalogRows = FIXTURE_METRICS.map(
      (m) =>
        `(${[m.metric_id, m.name_zh, m.name_en, m.description, m.formula_text, m.unit, m.direction]
          .map(quoteLiteral)
          .join(', ')}, ${m.target}, ${quoteLiteral(m.target_text)}, ${quoteLiteral(m.policy_source)}, ${m.sort_order})`,
    );
    await wh.exec(`INSERT INTO metrics.metric_catalog VALUES ${catalogRows.join(',\n')};`);

    const values: string[] = [];
    const slices: Array<[string, string, number]> = [
      ['all', 'ALL', 1],
      ['branch', FIXTURE_BRANCHES[0], 0.8],
      ['branch', FIXTURE_BRANCHES[1], 1.25],
    ];
    const last = new Date(`${FIXTURE_LAST_MONTH}T00:00:00Z`);
    for (let i = 0; i < FIXTURE_MONTHS; i++) {
      // Month-end i months before the last one (day 0 of the next month = last day of this one).
      const d = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (FIXTURE_MONTHS - 1 - i) + 1, 0));
      const month = d.toISOString().slice(0, 10);
      for (const m of FIXTURE_METRICS) {
        for (const [slice, sliceValue, factor] of slices) {
          const wave = 1 + 0.15 * Math.sin(i / 2);
          let numerator: number;
          let denominator: number;
          if (m.unit === 'ratio') {
            denominator = Math.round(500_000_000 * (sliceValue === 'ALL' ? 1 : 0.5) * (1 + i * 0.01));
            numerator = Math.round(denominator * 0.018 * factor * wave);
          } else {
            denominator = Math.round(120 * (sliceValue === 'ALL' ? 1 : 0.5) + i);
            numerator = Math.round(denominator * m.target * 0.9 * factor * wave);
          }
          const value = numerator / denominator;
          const ratio = value / m.target;
          const rag = ratio <= 1 ? 'green' : ratio <= 1.1 ? 'amber' : 'red';
          values.push(
            `(${quoteLiteral(m.metric_id)}, DATE ${quoteLiteral(month)}, ${quoteLiteral(slice)}, ${quoteLiteral(
              sliceValue,
            )}, ${numerator}, ${denominator}, ${value}, ${m.target}, ${quoteLiteral(rag)})`,
          );
        }
      }
    }
    await wh.exec(`INSERT INTO metrics.kpi_values VALUES ${values.join(',\n')};`);

    const [n1, n2, id1, id2, p1, p2] = FIXTURE_PII_NEEDLES;
    await wh.exec(`INSERT INTO raw.customers VALUES
      ('C0001', ${quoteLiteral(n1)}, ${quoteLiteral(id1)}, ${quoteLiteral(p1)}, ${quoteLiteral(FIXTURE_BRANCHES[0])}),
      ('C0002', ${quoteLiteral(n2)}, ${quoteLiteral(id2)}, ${quoteLiteral(p2)}, ${quoteLiteral(FIXTURE_BRANCHES[1])});`);
    await wh.exec('CHECKPOINT;');
  } finally {
    await wh.close();
  }
}

// CLI: npx tsx test/site/fixture-warehouse.ts OUT.duckdb
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: tsx test/site/fixture-warehouse.ts OUT.duckdb');
    process.exit(2);
  }
  await createFixtureWarehouse(out);
  console.log(`fixture warehouse written to ${out}`);
}
