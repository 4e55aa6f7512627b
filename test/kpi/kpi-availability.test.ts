import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES } from '../../transforms/ingest/contract/index.js';
import { exportPackage } from '../../transforms/publish/exports/export-package.js';
import { parseCsv } from '../../transforms/lib/csv.js';
import { XLSX_FIRST_DATA_ROW } from '../../transforms/publish/exports/write-xlsx.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import { KPI_EXPECTED, KPI_FIXTURE_DATES, M, kpiFixtureRows, writeKpiFixture } from '../helpers/kpi-fixture.js';

/**
 * "A KPI without inputs says so" (docs/kpis.md, "Availability"): every KPI row is `measured` or
 * `no_data` with a reason, on the hand-worked KPI fixture (test/helpers/kpi-fixture.ts) and
 * variants of it, through the real loader, mapping loader, KPI engine and export.
 */

/** One KPI row of a slice (`all` = whole book) at a month, by column name. */
interface Row {
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  rag: string;
  status: string;
  reason_code: string | null;
  reason_zh: string | null;
  reason_en: string | null;
  /** Sample size (the first minimum-sample measure), NULL without a minimum. */
  n: number | null;
}

async function kpiRow(wh: WarehouseHandle, id: string, month: string, where = 'branch_id IS NULL AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL'): Promise<Row> {
  const rows = await wh.all<Row>(
    `SELECT numerator, denominator, value, target, rag, status, reason_code, reason_zh, reason_en, n
     FROM metrics.kpi_${id} WHERE as_of_month = DATE '${month}' AND ${where}`,
  );
  expect(rows, `${id} ${month} ${where}: one row`).toHaveLength(1);
  return rows[0]!;
}

/** Runs a site source query (sources/warehouse/*.sql) against a warehouse: what the browser gets. */
async function siteSource(wh: WarehouseHandle, name: string): Promise<Record<string, unknown>[]> {
  return wh.all(readFileSync(join('sources/warehouse', `${name}.sql`), 'utf8'));
}

const xlsxRows = async (file: string) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0]!;
  const out: string[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) out.push(Array.from({ length: ws.getRow(r).cellCount }, (_, i) => String(ws.getRow(r).getCell(i + 1).value ?? '')));
  return out;
};

/** The KPIs whose inputs the bare book never delivered, with the input each misses (label as in metrics.input_deliveries). */
const MISSING = {
  warning_timeliness: 'warnings',
  warning_coverage: 'warnings',
  warning_lead_time_median: 'warnings',
  provision_coverage: 'loan-loss provisions (loan_balances.provision_amount)',
  loan_provision_ratio: 'loan-loss provisions (loan_balances.provision_amount)',
  high_risk_share: 'recorded customer grades (customers.grade)',
  classification_error_rate: 'recorded customer grades (customers.grade)',
} as const;

/**
 * A mapping that passes the fixture's contract-layout files through one to one, except: no
 * `warnings` entity (recorded entity_absent), `provision_amount` a placeholder default
 * (missing_in_source), `grade` / `graded_on` not mapped (empty everywhere). This is how a new
 * lender's book without warnings, provisions and grades arrives.
 */
function bareBookMapping(): string {
  const lines = ['name: bare-book', 'sources:'];
  const entities = ENTITIES.filter((e) => e.name !== 'warnings' && e.name !== 'fx_rates');
  for (const e of entities) lines.push(`  ${e.name}: { file: ${e.name}.csv }`);
  lines.push('entities:');
  for (const e of entities) {
    lines.push(`  ${e.name}:`, `    from: ${e.name}`, '    columns:');
    for (const c of e.columns) {
      if (e.name === 'customers' && (c.name === 'grade' || c.name === 'graded_on')) continue;
      if (c.name === 'provision_amount') lines.push(`      provision_amount: { default: '0.00', note: "The book has no provisions; 0.00 is a placeholder." }`);
      else lines.push(`      ${c.name}: ${c.name}`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('a book that never delivered warnings, provisions or grades', () => {
  let wh: WarehouseHandle;
  let root: string;
  let pkg: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cq-avail-bare-'));
    const extracts = writeKpiFixture({ dir: join(root, 'extracts') });
    writeFileSync(join(root, 'bare-book.yaml'), bareBookMapping());
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, extracts, { mapping: join(root, 'bare-book.yaml') });
    await buildWarehouse(wh);
    pkg = (await exportPackage(wh, { month: M.slice(0, 7), outDir: join(root, 'exports'), pdf: false, generatedAt: '2026-11-01T02:00:00Z', runId: 'avail' })).dir;
  }, 180_000);
  afterAll(async () => wh?.close());

  it('the load records say so: warnings absent, provisions a placeholder, grades empty — and the rest delivered', async () => {
    const d = await wh.all<{ input: string; first: string | null }>(
      `SELECT input, strftime(first_delivered, '%Y-%m-%d') AS first FROM metrics.input_deliveries ORDER BY input`,
    );
    expect(Object.fromEntries(d.map((r) => [r.input, r.first]))).toEqual({
      'customers.grade': null, // not mapped: no customer has a grade on any date
      credit_file_updates: '2025-09-30',
      loan_balances: '2025-09-30',
      'loan_balances.provision_amount': null, // a mapping default for the whole column (missing_in_source)
      'customers.onboarded_on': '2025-09-30',
      'loans.restructured': '2025-09-30',
      risk_scores: '2025-09-30',
      surveys: '2025-09-30',
      verifications: '2025-09-30',
      warnings: null, // entity_absent
    });
  });

  it('every affected KPI is no_data "input never delivered" in every month and slice: NULL value, numerator and denominator, RAG none', async () => {
    for (const [id, label] of Object.entries(MISSING)) {
      const rows = await wh.all<Row & { n: bigint }>(
        `SELECT status, reason_code, reason_zh, reason_en, rag, count(*) AS n, count(value) + count(numerator) + count(denominator) AS known
         FROM metrics.kpi_${id} GROUP BY ALL`,
      );
      expect(rows, id).toHaveLength(1);
      expect(rows[0], id).toMatchObject({ status: 'no_data', reason_code: 'input_not_delivered', rag: 'none', known: 0n });
      expect(rows[0]!.reason_en, id).toBe(`Input never delivered up to this month: ${label}`);
      expect(rows[0]!.reason_zh, id).toMatch(/^输入数据截至本月从未交付：/);
    }
    // classification_error_rate needs grades, balances and scores: only the grades are missing, so only they are named.
    expect((await kpiRow(wh, 'classification_error_rate', M)).reason_zh).toBe('输入数据截至本月从未交付：客户等级（customers.grade）');
  });

  it('every other KPI is measured with exactly the value of the complete book (control)', async () => {
    const ids = (await discoverMetrics()).map((m) => m.id).filter((id) => !(id in MISSING));
    // The KPIs the bare book can measure: more than half of them (24 of the 31 shipped), and the headline one.
    expect(ids.length).toBeGreaterThan(Object.keys(MISSING).length);
    expect(ids).toContain('npl_ratio');
    for (const id of ids) {
      const [num, den, value] = KPI_EXPECTED[id as keyof typeof KPI_EXPECTED].all as readonly [number | null, number | null, number | null];
      const r = await kpiRow(wh, id, M);
      if (value === null) {
        // Year-to-date migration rates: the fixture does not load the previous year end.
        expect(r, id).toMatchObject({ status: 'no_data', reason_code: 'no_prior_month', value: null });
        continue;
      }
      // The fixture is small: a KPI below its minimum sample is too_few (never coloured), its value still computed.
      const min = (await discoverMetrics()).find((m) => m.id === id)!.minObservations;
      if (r.status === 'too_few') {
        expect(min, `${id}: too_few only with a minimum sample`).toBeDefined();
        expect(r.reason_code, id).toBe('too_few_observations');
        expect(r.rag, id).toBe('none');
      } else {
        expect(r.status, id).toBe('measured');
        expect(r.reason_code, id).toBeNull();
      }
      expect(r.value!, id).toBeCloseTo(value, 10);
      expect(r.denominator!, id).toBeCloseTo(den!, 6);
      if (num !== null) expect(r.numerator!, id).toBeCloseTo(num, 6);
    }
  });

  it('kpi_values and the catalogue carry it: status, reason, and what each KPI needs', async () => {
    const v = await wh.all<{ metric_id: string; status: string; reason_code: string; value: number | null; rag: string }>(
      `SELECT metric_id, status, reason_code, value, rag FROM metrics.kpi_values WHERE as_of_month = DATE '${M}' AND slice = 'all' AND metric_id IN (${Object.keys(MISSING).map((k) => `'${k}'`).join(', ')})`,
    );
    expect(v).toHaveLength(7);
    for (const r of v) expect(r, r.metric_id).toMatchObject({ status: 'no_data', reason_code: 'input_not_delivered', value: null, rag: 'none' });
    const c = await wh.all<{ metric_id: string; inputs: string; availability_en: string }>(`SELECT metric_id, inputs, availability_en FROM metrics.metric_catalog`);
    const by = Object.fromEntries(c.map((x) => [x.metric_id, x]));
    expect(by.warning_coverage!.inputs).toBe('loan_balances,warnings');
    expect(by.warning_coverage!.availability_en).toBe('Needs: loan_balances, warnings; the previous month loaded; at least 5 new NPLs.');
    expect(by.provision_coverage!.inputs.split(',')).toContain('loan_balances.provision_amount');
    expect(by.high_risk_share!.inputs).toBe('customers.grade');
  });

  it('the regulator package: "— [n]" with a footnote giving the reason, never a number or a colour', async () => {
    // The KPI report is one wide table (a row per KPI, a column per month): the month's cell is "— [n]",
    // the status 无数据 No data, and footnote [n] (under the table in the XLSX) gives the reason.
    const csv = parseCsv(readFileSync(join(pkg, 'kpi-report.csv'), 'utf8'));
    const en = csv[0]!.map((x) => x.split(' / ')[1] ?? '');
    const month = csv[0]!.findIndex((x) => x.split(' / ')[0] === '2026-10');
    const names = Object.fromEntries((await wh.all<{ metric_id: string; name_en: string }>(`SELECT metric_id, name_en FROM metrics.metric_catalog`)).map((r) => [r.metric_id, r.name_en]));
    const sheet = await xlsxRows(join(pkg, 'kpi-report.xlsx'));
    const footnotes = sheet.slice(XLSX_FIRST_DATA_ROW).map((r) => r[0] ?? '').filter((x) => /^\[\d+\] /.test(x));
    for (const [id, label] of Object.entries(MISSING)) {
      const r = csv.find((x) => x[en.indexOf('KPI (English)')] === names[id])!;
      expect(r, id).toBeDefined();
      const note = /^— \[(\d+)\]$/.exec(r[month]!);
      expect(note, `${id} value cell "${r[month]}"`).not.toBeNull();
      expect(r[en.indexOf('Status')]).toBe('无数据 No data');
      const text = footnotes.find((x) => x.startsWith(`[${note![1]}] `));
      expect(text, id).toMatch(/^\[\d+\] 无数据 No data — 输入数据截至本月从未交付：.+ \/ Input never delivered up to this month: (.+)$/);
      expect(text!.endsWith(`Input never delivered up to this month: ${label}`), text).toBe(true);
    }
    // A measured KPI of the same book keeps its number and colour.
    const npl = csv.find((x) => x[en.indexOf('KPI (English)')] === names.npl_ratio)!;
    expect(Number(npl[month])).toBeCloseTo(705 / 2235, 12);
    expect(npl[en.indexOf('Status')]).toBe('未达标 Off target');
    expect(footnotes.some((x) => x.endsWith('无数据 No data — 输入数据截至本月从未交付：风险预警（warnings） / Input never delivered up to this month: warnings'))).toBe(true);
    // NPL and provisioning report: provision lines are "— [n]"; the NPL lines are numbers.
    const npr = parseCsv(readFileSync(join(pkg, 'npl-provisioning.csv'), 'utf8'));
    const line = (zh: string) => npr.find((r) => r[0] === zh)!;
    for (const zh of ['贷款损失准备余额', '拨备覆盖率', '贷款拨备率']) {
      expect(line(zh)[2], zh).toMatch(/^— \[\d+\]$/);
      expect(line(zh)[4], `${zh} change on previous month`).toMatch(/^— \[\d+\]$/);
      expect(line(zh).at(-1), zh).toContain('Input never delivered up to this month: loan-loss provisions (loan_balances.provision_amount)');
    }
    expect(line('拨备覆盖率')[7]).toBe('无数据 No data');
    expect(Number(line('不良贷款率')[2])).toBeCloseTo(705 / 2235, 12);
    // Large exposures: the placeholder provisions are not shown as amounts.
    const le = parseCsv(readFileSync(join(pkg, 'large-exposures.csv'), 'utf8'));
    const p = le[0]!.findIndex((x) => x.endsWith('/ Provisions'));
    expect(new Set(le.slice(1).map((r) => r[p]))).toEqual(new Set(['— [1]']));
  });

  it('the report site gets the status and the reason (sources/warehouse/kpi_values.sql), grey "无数据 No data"', async () => {
    const rows = (await siteSource(wh, 'kpi_values')) as { metric_id: string; month: string; slice: string; value: number | null; rag: string; rag_label: string; status: string; no_data_reason: string | null }[];
    const cov = rows.find((r) => r.metric_id === 'warning_coverage' && r.month === '2026-10' && r.slice === 'all')!;
    expect(cov).toMatchObject({ value: null, rag: 'none', status: 'no_data', rag_label: '无数据 No data' });
    expect(cov.no_data_reason).toBe('输入数据截至本月从未交付：风险预警（warnings） / Input never delivered up to this month: warnings');
    const npl = rows.find((r) => r.metric_id === 'npl_ratio' && r.month === '2026-10' && r.slice === 'all')!;
    // Status words from metrics.status_labels (STATUS_LABELS, transforms/kpi/rag.ts).
    expect(npl).toMatchObject({ status: 'measured', rag: 'red', rag_label: '未达标 Off target', status_label: '未达标 Off target', no_data_reason: '' });
  });
});

describe('the complete book: zero denominators, too few observations, the first month', () => {
  let wh: WarehouseHandle;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cq-avail-full-'));
    // The fixture, plus L05 already 次级 at the first business date (2025-09-30): an NPL in the first month loaded.
    const extracts = writeKpiFixture({
      dir: join(root, 'extracts'),
      edit: (rows) =>
        rows['2025-09-30'].loan_balances!.push({
          as_of_date: '2025-09-30',
          loan_id: 'L05',
          outstanding_principal: '200000.00',
          overdue_principal: '20000.00',
          overdue_interest: '0.00',
          days_past_due: '100',
          recorded_class: '次级',
          provision_amount: '50000.00',
          status: 'active',
        }),
    });
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, extracts);
    await buildWarehouse(wh);
  }, 120_000);
  afterAll(async () => wh?.close());

  it('denominator zero: no NPL among mortgages (L01 500 正常, L10 800 正常) → deviation 0 ÷ 0 is no_data, the zeros kept', async () => {
    const r = await kpiRow(wh, 'loan_classification_deviation', M, "product_id = 'mortgage'");
    expect(r).toMatchObject({ numerator: 0, denominator: 0, value: null, rag: 'none', status: 'no_data', reason_code: 'denominator_zero' });
    expect(r.reason_en).toBe('Denominator is zero: Outstanding principal of on-book loans classified substandard, doubtful or loss = 0');
    expect(r.reason_zh).toBe('分母为零：不良贷款余额为 0');
    // The whole book (765 ÷ 705) is measured.
    expect((await kpiRow(wh, 'loan_classification_deviation', M)).value).toBeCloseTo(765 / 705, 10);
  });

  it('too few observations: AUC of grade A at M has 3 scores, 1 defaulter (C04) against 2 non-defaulters (C01, C07) — minimum 30 scores, 5 of each', async () => {
    const auc = await kpiRow(wh, 'model_auc', M, "grade = 'A'");
    // U = C04 0.25 above C01 0.02 and C07 0.10 = 2 of 1 × 2 pairs = 1.0: kept in the warehouse, never shown nor coloured; n = 3 scores.
    expect(auc).toMatchObject({ numerator: 2, denominator: 2, value: 1, rag: 'none', status: 'too_few', reason_code: 'too_few_observations', n: 3 });
    expect(auc.reason_en).toBe('Too few observations: evaluable scores 3, minimum 30');
    expect((await kpiRow(wh, 'model_ks', M, "grade = 'A'")).reason_code).toBe('too_few_observations');
    // model_accuracy of the ungraded: C06 alone (1 score, correct) < 30.
    const acc = await kpiRow(wh, 'model_accuracy', M, "grade = 'ungraded'");
    expect(acc).toMatchObject({ numerator: 1, denominator: 1, value: 1, rag: 'none', status: 'too_few', reason_code: 'too_few_observations', n: 1 });
    expect(acc.reason_zh).toBe('样本不足：可评估评分 1，最低 30');
    // Whole book: 5 defaulters, 2 non-defaulters, 7 scores < 30 → too_few (AUC 0.9 kept, not shown, no colour).
    expect(await kpiRow(wh, 'model_auc', M)).toMatchObject({ value: 0.9, status: 'too_few', rag: 'none', n: 7 });
  });

  it('the first month loaded invents no new NPL: L05 is NPL at 2025-09 but not "new"; no new-NPL rows, no movements', async () => {
    const f = await wh.all<{ loan_id: string; is_npl: boolean; is_new_npl: boolean | null }>(
      `SELECT loan_id, is_npl, is_new_npl FROM core.fct_loan_month_ends WHERE as_of_month = DATE '2025-09-30' ORDER BY loan_id`,
    );
    expect(f).toEqual([
      { loan_id: 'L05', is_npl: true, is_new_npl: null },
      { loan_id: 'L15', is_npl: false, is_new_npl: null },
    ]);
    const [n] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM marts.mart_risk__new_npls WHERE as_of_month IN (DATE '2025-09-30', DATE '2026-09-30')`);
    expect(n!.n).toBe(0n); // 2026-09 follows a gap (2026-08 not loaded): before, all 5 NPLs there were "new"
    const [mv] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM marts.mart_risk__npl_movements WHERE as_of_month = DATE '2025-09-30'`);
    expect(mv!.n).toBe(0n);
  });

  it('KPIs on movements are no_data "no prior month" there; with the prior month loaded they are measured (0 % is a real 0)', async () => {
    for (const [id, month] of [
      ['warning_coverage', '2025-09-30'],
      ['warning_coverage', '2026-09-30'],
      ['warning_lead_time_median', '2025-09-30'],
      ['churn_rate', '2025-09-30'],
    ] as const) {
      const r = await kpiRow(wh, id, month);
      expect(r, `${id} ${month}`).toMatchObject({ numerator: null, denominator: null, value: null, rag: 'none', status: 'no_data', reason_code: 'no_prior_month' });
    }
    const first = await kpiRow(wh, 'warning_coverage', '2025-09-30');
    expect(first.reason_en).toBe('No prior month: 2025-08 was not loaded (the first month loaded, or a gap), so the movements of this month cannot be known');
    expect(first.reason_zh).toBe('无上月数据：2025-08 未加载（首个加载月份或缺月），本月变动无从得知');
    // 2025-10: L15 went 关注 (2025-09) → 次级; no warning on C10 → 0 of 1: a real 0, but 1 new NPL < 5 → too_few, no colour.
    expect(await kpiRow(wh, 'warning_coverage', '2025-10-31')).toMatchObject({ numerator: 0, denominator: 1, value: 0, status: 'too_few', rag: 'none', n: 1 });
    // churn 2025-10: 9 active at the start (C01–C07, C09, C10), C09 closed → 1/9.
    expect((await kpiRow(wh, 'churn_rate', '2025-10-31')).value).toBeCloseTo(1 / 9, 12);
    // Model KPIs compare with the score month 12 months back: 2024-09 … 2025-09 are not all loaded.
    expect((await kpiRow(wh, 'model_auc', '2025-10-31')).reason_code).toBe('no_prior_month');
  });

  it('a prior-year target never comes from a no_data month', async () => {
    // churn 2026-09: its year-earlier month 2025-09 is no_data (first month) → no target, RAG none, value still measured.
    const r = await kpiRow(wh, 'churn_rate', '2026-09-30');
    expect(r.status).toBe('no_data'); // 2026-08 not loaded
    const m = await kpiRow(wh, 'churn_rate', M);
    expect(m.target).toBeCloseTo(1 / 9 - 0.03, 12); // from 2025-10, measured
  });

  it('the regulator package of the month after the gap: movements "— [n]" with "no prior month", KPI lines as measured', async () => {
    const { dir } = await exportPackage(wh, { month: '2026-09', outDir: join(root, 'exports'), pdf: false, generatedAt: '2026-10-01T02:00:00Z', runId: 'gap', reports: ['npl-provisioning'] });
    const rows = parseCsv(readFileSync(join(dir, 'npl-provisioning.csv'), 'utf8'));
    const line = (zh: string) => rows.find((r) => r[0] === zh)!;
    expect(line('加：本月新增不良')[2]).toMatch(/^— \[\d+\]$/);
    expect(line('新增不良笔数')[2]).toMatch(/^— \[\d+\]$/);
    expect(line('加：本月新增不良').at(-1)).toContain('No prior month: 2026-08 was not loaded');
    expect(line('不良贷款余额')[2]).not.toMatch(/—/);
  });
});

describe('a book that delivered its warnings files with 0 rows (delivered, empty: documented as measured)', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    const extracts = writeKpiFixture({
      edit: (rows) => {
        for (const d of KPI_FIXTURE_DATES) rows[d].warnings = [];
      },
    });
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, extracts);
    await buildWarehouse(wh);
  }, 120_000);
  afterAll(async () => wh?.close());

  it('warnings count as delivered (from the first business date)', async () => {
    const [d] = await wh.all<{ first: string }>(`SELECT strftime(first_delivered, '%Y-%m-%d') AS first FROM metrics.input_deliveries WHERE input = 'warnings'`);
    expect(d!.first).toBe(KPI_FIXTURE_DATES[0]);
  });

  it('warning coverage is a real 0 %: 3 new NPLs at M (L03, L12, L14), none warned → 0 of 3 (below the minimum of 5: too_few, no colour)', async () => {
    expect(await kpiRow(wh, 'warning_coverage', M)).toMatchObject({ numerator: 0, denominator: 3, value: 0, rag: 'none', status: 'too_few', reason_code: 'too_few_observations', n: 3 });
  });

  it('timeliness and lead time have nothing to measure: denominator zero, not "never delivered"', async () => {
    expect(await kpiRow(wh, 'warning_timeliness', M)).toMatchObject({ numerator: 0, denominator: 0, value: null, status: 'no_data', reason_code: 'denominator_zero' });
    const lead = await kpiRow(wh, 'warning_lead_time_median', M);
    expect(lead).toMatchObject({ value: null, status: 'no_data', reason_code: 'denominator_zero' });
    expect(lead.reason_en).toBe('Denominator is zero: New NPLs with a prior warning = 0');
  });
});

describe('a metric must say what it needs', () => {
  it('inputs are required and checked against the contract', async () => {
    const { validateMetric } = await import('../../transforms/kpi/discover-metrics.js');
    const [base] = (await discoverMetrics()).filter((m) => m.id === 'npl_ratio');
    expect(() => validateMetric({ ...base!, inputs: [] }, 'metrics/npl-ratio.ts')).toThrow(/inputs must list the extract entities/);
    expect(() => validateMetric({ ...base!, inputs: ['early_warnings'] }, 'metrics/npl-ratio.ts')).toThrow(/"early_warnings", which is not an extract entity/);
    expect(() => validateMetric({ ...base!, inputs: ['customers.grades'] }, 'metrics/npl-ratio.ts')).toThrow(/customers has no column "grades"/);
    expect(() => validateMetric({ ...base!, needsPriorMonth: 0 }, 'metrics/npl-ratio.ts')).toThrow(/needsPriorMonth must be a whole number/);
  });

  it('every shipped KPI declares inputs that exist (kpiFixtureRows has every entity it names)', async () => {
    const entities = new Set(Object.keys(kpiFixtureRows()[M]).concat(['branches', 'products']));
    for (const m of await discoverMetrics()) for (const i of m.inputs) expect(entities, `${m.id}: ${i}`).toContain(i.split('.')[0]);
  });
});
