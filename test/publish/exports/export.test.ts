import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { isCqError } from '../../../transforms/lib/errors.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { exportMonths, exportPackage, PDF_NAME, type ExportResult } from '../../../transforms/publish/exports/export-package.js';
import { listFiles, MANIFEST_NAME, packageSha256, sha256, verifyPackage, type Manifest } from '../../../transforms/publish/exports/manifest.js';
import { metricDefinitionsHash } from '../../../transforms/publish/exports/run-info.js';
import { brokenXrefEntries, PDF_CREATOR, PDF_PRODUCER } from '../../../transforms/publish/exports/pdf-metadata.js';
import { parseCsv } from '../../../transforms/lib/csv.js';
import { XLSX_FIRST_DATA_ROW, XLSX_HEADER_ROW_EN, XLSX_HEADER_ROW_ZH } from '../../../transforms/publish/exports/write-xlsx.js';
import { entryData, readZip } from '../../../transforms/publish/exports/zip-file.js';
import { KPI_EXPECTED, KPI_FIXTURE_DATES, writeKpiFixture } from '../../helpers/kpi-fixture.js';
import { runProcess } from '../../helpers/run-process.js';

/**
 * Regulator export packages end to end on the hand-built KPI fixture (loaded through the real
 * loader, built by the real KPI engine, real DuckDB, real Chromium): XLSX cells against the KPI
 * tables, totals that reconcile, CSV = XLSX, byte-identical re-exports, --verify, the PDF, and
 * no unmasked ID number anywhere unless --unmasked.
 */

const MONTH = '2026-10';
const AS_OF = '2026-10-31';
const CLI = ['--import', 'tsx', 'transforms/cli/export.ts'];

let root: string;
let warehouse: string;
let wh: WarehouseHandle;
let first: ExportResult;
let second: ExportResult;
/** Full ID numbers and individuals' names planted in the fixture: none may appear in a masked package. */
let needles: string[];

/** Realistic ID numbers instead of the fixture's short placeholders (so masking is tested on 18 characters). */
function realisticId(customer: string, business: boolean): string {
  const n = Number(customer.slice(1));
  return business ? `91330100MA${String(n * 7919).padStart(8, '0')}` : `11010119800101${String(100 + n).padStart(3, '0')}X`;
}

function cli(args: string[]) {
  return runProcess(process.execPath, [...CLI, ...args], { encoding: 'utf8', cwd: process.cwd() });
}

async function readSheet(file: string, sheet = 1): Promise<{ ws: ExcelJS.Worksheet; headers: string[]; rows: ExcelJS.CellValue[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[sheet - 1]!;
  const width = ws.getRow(XLSX_HEADER_ROW_ZH).cellCount;
  const headers = Array.from({ length: width }, (_, i) => String(ws.getRow(XLSX_HEADER_ROW_ZH).getCell(i + 1).value));
  const rows: ExcelJS.CellValue[][] = [];
  for (let r = XLSX_FIRST_DATA_ROW; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const vals = Array.from({ length: width }, (_, i) => row.getCell(i + 1).value);
    if (vals.every((v) => v === null)) break; // the blank row between the table and its notes
    rows.push(vals);
  }
  return { ws, headers, rows };
}

/** Money in 0.01 万元 units from an XLSX / CSV number. */
const units = (v: unknown) => Math.round(Number(v) * 100);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-export-'));
  const extracts = writeKpiFixture({ dir: join(root, 'extracts') });
  needles = [];
  for (const date of KPI_FIXTURE_DATES) {
    const file = join(extracts, date, 'customers.csv');
    const text = readFileSync(file, 'utf8').replace(/ID(C\d\d)X/g, (_, c: string) => {
      return realisticId(c, /C03|C05/.test(c));
    });
    writeFileSync(file, text);
    for (const m of text.matchAll(/^(C\d\d),(individual|small_business),([^,]+),([^,]+),/gm)) {
      needles.push(m[4]!);
      if (m[2] === 'individual') needles.push(m[3]!);
    }
  }
  needles = [...new Set(needles)];
  warehouse = join(root, 'warehouse.duckdb');
  const w = await openWarehouse(warehouse);
  await loadExtracts(w, extracts);
  await buildWarehouse(w);
  await w.exec('CHECKPOINT');
  await w.close();
  wh = await openWarehouse(warehouse, { readOnly: true });
  first = await exportPackage(wh, { month: MONTH, outDir: join(root, 'a') });
  second = await exportPackage(wh, { month: MONTH, outDir: join(root, 'b') });
}, 600_000);

afterAll(async () => {
  await wh?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('export package layout and manifest', () => {
  it('writes XLSX + CSV per report, one PDF and a manifest into exports/YYYY-MM/', () => {
    expect(first.dir).toBe(join(root, 'a', MONTH));
    expect(listFiles(first.dir)).toEqual([
      'five-category.csv',
      'five-category.xlsx',
      'kpi-definitions.csv',
      'kpi-report.csv',
      'kpi-report.xlsx',
      'large-exposures.csv',
      'large-exposures.xlsx',
      MANIFEST_NAME,
      'migration-month.csv',
      'migration.csv',
      'migration.xlsx',
      'npl-provisioning.csv',
      'npl-provisioning.xlsx',
      PDF_NAME,
    ]);
    expect(readdirSync(join(root, 'a')).filter((f) => f.startsWith('.'))).toEqual([]); // no partial folders left
  });

  it('manifest: month, run and generated-at from the warehouse (not the clock), every file hashed and sized, row counts, masking', async () => {
    const m = JSON.parse(readFileSync(join(first.dir, MANIFEST_NAME), 'utf8')) as Manifest;
    expect(m.business_month).toBe(MONTH);
    expect(m.as_of_date).toBe(AS_OF);
    const [load] = await wh.all<{ load_id: string; at: string }>(
      `SELECT load_id, strftime(max(finished_at), '%Y-%m-%dT%H:%M:%SZ') AS at FROM ops.load_audit GROUP BY load_id ORDER BY max(finished_at) DESC LIMIT 1`,
    );
    expect(m.run_id).toBe(`load-${load!.load_id}`);
    expect(m.generated_at).toBe(load!.at);
    expect(m.generated_at_source).toBe('ops.load_audit');
    expect(m.masking).toEqual({ id_numbers: 'last4', individual_names: 'first_character', unmasked: false });
    expect(m.files.map((f) => f.path)).toEqual(listFiles(first.dir).filter((f) => f !== MANIFEST_NAME));
    for (const f of m.files) {
      const bytes = readFileSync(join(first.dir, f.path));
      expect(f.bytes, f.path).toBe(bytes.length);
      expect(f.sha256, f.path).toBe(sha256(bytes));
      if (f.format === 'csv') expect(f.rows, f.path).toBe(parseCsv(bytes.toString('utf8')).length - 1);
      expect(f.deterministic).toBe(true);
    }
    expect(m.package_sha256).toBe(packageSha256(m.files));
    expect(m.metric_definitions).toEqual(await metricDefinitionsHash(wh));
    expect(m.metric_definitions.metrics).toBeGreaterThanOrEqual(20);
    // The lender policy the grades and floors were built with (ops.policy_files): the shipped files.
    const policy = await wh.all<{ policy: string; file: string; sha256: string }>('SELECT policy, file, sha256 FROM ops.policy_files ORDER BY policy');
    expect(m.policy_files).toEqual(policy);
    expect(m.policy_files.map((p) => p.file)).toEqual(['policy/classification-floor.yaml', 'policy/credit-file-cycles.yaml', 'policy/customer-grading.yaml', 'policy/kpi-rules.yaml', 'policy/kpi-targets.yaml', 'policy/warning-rules.yaml']);
    // 4 business dates × 12 entities (the 11 required and credit_file_updates; fx_rates not delivered), all
    // up to the month end, with their checksums from ops.load_audit
    expect(m.source_extracts).toHaveLength(KPI_FIXTURE_DATES.length * 12);
    const audit = await wh.all<{ sha256: string }>(`SELECT sha256 FROM ops.load_audit ORDER BY business_date, entity, path`);
    expect(m.source_extracts.map((s) => s.sha256)).toEqual(audit.map((a) => a.sha256));
    expect(m.source_extracts[0]!.file).toMatch(/^2025-09-30\/[a-z_]+\.csv$/);
    expect(m.reports.map((r) => r.template)).toEqual([
      'policy/reports/five-category.yaml',
      'policy/reports/migration.yaml',
      'policy/reports/npl-provisioning.yaml',
      'policy/reports/kpi-report.yaml',
      'policy/reports/large-exposures.yaml',
    ]);
    for (const r of m.reports) expect(r.template_sha256).toBe(sha256(readFileSync(r.template)));
  });

  it('exporting the same month twice gives byte-identical XLSX, CSV, PDF and manifest', () => {
    expect(listFiles(first.dir)).toContain(PDF_NAME); // two Chromium launches printed it
    for (const f of listFiles(first.dir)) {
      const a = readFileSync(join(first.dir, f));
      const b = readFileSync(join(second.dir, f));
      expect(sha256(a), `${f} differs between two exports`).toBe(sha256(b));
    }
  });

  it('the PDF states generated-at and fixed producer texts (not the clock, not the browser version), with valid offsets', async () => {
    const pdf = join(first.dir, PDF_NAME);
    const m = JSON.parse(readFileSync(join(first.dir, MANIFEST_NAME), 'utf8')) as Manifest;
    const info = (await runProcess('pdfinfo', ['-isodates', pdf], { encoding: 'utf8' })).stdout;
    expect(info).toContain(`Producer:        ${PDF_PRODUCER}`);
    expect(info).toContain(`Creator:         ${PDF_CREATOR}`);
    expect(info).not.toMatch(/Skia|HeadlessChrome|Mozilla/);
    expect(info).toContain(`CreationDate:    ${m.generated_at}`);
    expect(info).toContain(`ModDate:         ${m.generated_at}`);
    expect(brokenXrefEntries(readFileSync(pdf))).toEqual([]);
  });

  it('CSV files are UTF-8 with BOM and CRLF line ends', () => {
    for (const f of listFiles(first.dir).filter((x) => x.endsWith('.csv'))) {
      const bytes = readFileSync(join(first.dir, f));
      expect([...bytes.subarray(0, 3)], f).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8')).toContain('\r\n');
    }
  });
});

describe('five-category table (G11 layout)', () => {
  const classCols = ['正常类余额', '关注类余额', '次级类余额', '可疑类余额', '损失类余额'];
  const countCols = ['正常类笔数', '关注类笔数', '次级类笔数', '可疑类笔数', '损失类笔数'];

  it('has styled bilingual headers, frozen panes and number formats', async () => {
    const { ws, headers } = await readSheet(join(first.dir, 'five-category.xlsx'));
    expect(headers.slice(0, 3)).toEqual(['项目', '项目（英文）', '正常类余额']);
    expect(ws.getRow(XLSX_HEADER_ROW_EN).getCell(3).value).toBe('Pass balance');
    expect(ws.getRow(XLSX_HEADER_ROW_ZH).getCell(3).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: XLSX_HEADER_ROW_EN });
    expect(ws.getRow(XLSX_FIRST_DATA_ROW + 1).getCell(3).numFmt).toBe('#,##0.00');
    expect(String(ws.getRow(3).getCell(1).value)).toContain(AS_OF);
  });

  it('cells match the warehouse: 2,235 thousand on book, 705 thousand NPL, ratio from the KPI table', async () => {
    const { headers, rows } = await readSheet(join(first.dir, 'five-category.xlsx'));
    const col = (h: string) => headers.indexOf(h);
    const total = rows.find((r) => r[0] === '合计')!;
    expect(units(total[col('贷款余额合计')])).toBe(22_350); // 223.50 万元
    expect(units(total[col('不良贷款余额')])).toBe(7_050);
    expect(total[col('贷款笔数合计')]).toBe(12);
    expect(total[col('不良贷款率')]).toBe(KPI_EXPECTED.npl_ratio.all[2]);
    const [kpi] = await wh.all<{ value: number }>(`SELECT value FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice = 'all' AND as_of_month = DATE '${AS_OF}'`);
    expect(total[col('不良贷款率')]).toBe(kpi!.value);
    // Per product, against the core fact (exact fen → 0.01 万元)
    const byProduct = await wh.all<{ name: string; cls: string; u: number; n: number }>(
      `SELECT p.product_name_zh AS name, f.recorded_class AS cls, CAST(sum(f.on_book_balance) / 100 AS DOUBLE) AS u, count(*)::INTEGER AS n
       FROM core.fct_loan_month_ends f JOIN core.dim_products p USING (product_id)
       WHERE f.as_of_month = DATE '${AS_OF}' AND f.is_on_book GROUP BY ALL`,
    );
    for (const p of byProduct) {
      const row = rows.find((r) => r[0] === p.name)!;
      const c = ['正常', '关注', '次级', '可疑', '损失'].indexOf(p.cls);
      expect(units(row[col(classCols[c]!)]), `${p.name} ${p.cls}`).toBe(Math.round(p.u)); // fixture amounts are whole hundreds
      expect(row[col(countCols[c]!)]).toBe(p.n);
    }
    // Mortgage: L01 500k + L10 800k, both 正常
    const mortgage = rows.find((r) => r[0] === '个人住房贷款')!;
    expect(units(mortgage[col('正常类余额')])).toBe(13_000);
    expect(mortgage[col('不良贷款率')]).toBe(0);
    // Industry block: the two business borrowers are industry F (wholesale and retail): L03, L07, L05, L11, L12
    const retail = rows.find((r) => r[0] === '批发和零售业')!;
    expect(units(retail[col('贷款余额合计')])).toBe(7_700);
    expect(units(retail[col('不良贷款余额')])).toBe(6_700);
  });

  it('totals reconcile: classes add up to each row, rows add up to the total in every section', async () => {
    const { headers, rows } = await readSheet(join(first.dir, 'five-category.xlsx'));
    const col = (h: string) => headers.indexOf(h);
    const sections: ExcelJS.CellValue[][][] = [];
    for (const r of rows) {
      if (r[0] === '合计') break;
      if (r[2] === null) sections.push([]);
      else sections.at(-1)!.push(r);
    }
    expect(sections).toHaveLength(2);
    const total = rows.find((r) => r[0] === '合计')!;
    for (const r of [...sections.flat(), total]) {
      expect(classCols.reduce((a, h) => a + units(r[col(h)]), 0), `row ${String(r[0])}`).toBe(units(r[col('贷款余额合计')]));
      expect(countCols.reduce((a, h) => a + Number(r[col(h)]), 0)).toBe(r[col('贷款笔数合计')]);
      expect(['次级类余额', '可疑类余额', '损失类余额'].reduce((a, h) => a + units(r[col(h)]), 0)).toBe(units(r[col('不良贷款余额')]));
    }
    for (const sec of sections) {
      for (const h of [...classCols, '贷款余额合计', '不良贷款余额']) expect(sec.reduce((a, r) => a + units(r[col(h)]), 0), h).toBe(units(total[col(h)]));
      for (const h of [...countCols, '贷款笔数合计']) expect(sec.reduce((a, r) => a + Number(r[col(h)]), 0), h).toBe(total[col(h)]);
    }
  });
});

describe('CSV parses back to the XLSX numbers', () => {
  const pairs: [string, string, number][] = [
    ['five-category.csv', 'five-category.xlsx', 1],
    ['npl-provisioning.csv', 'npl-provisioning.xlsx', 1],
    ['kpi-report.csv', 'kpi-report.xlsx', 1],
    ['kpi-definitions.csv', 'kpi-report.xlsx', 2],
    ['large-exposures.csv', 'large-exposures.xlsx', 1],
    ['migration.csv', 'migration.xlsx', 1],
    ['migration-month.csv', 'migration.xlsx', 2],
  ];
  it.each(pairs)('%s = %s', async (csvName, xlsxName, sheet) => {
    const csv = parseCsv(readFileSync(join(first.dir, csvName), 'utf8'));
    const { headers, rows } = await readSheet(join(first.dir, xlsxName), sheet);
    expect(csv[0]!.map((h) => h.split(' / ')[0])).toEqual(headers);
    expect(csv.length - 1).toBe(rows.length);
    rows.forEach((r, i) => {
      r.forEach((v, j) => {
        const c = csv[i + 1]![j]!;
        if (v === null) expect(c, `${csvName} row ${i + 1} col ${j + 1}`).toBe('');
        else if (typeof v === 'number') expect(Number(c), `${csvName} row ${i + 1} col ${j + 1}`).toBe(v);
        // text Excel would run as a formula is written with a leading apostrophe (write-csv.ts)
        else expect(c).toBe(/^[=+\-@]/.test(String(v)) && !/^-?\d+(\.\d+)?$/.test(String(v)) ? `'${String(v)}` : String(v));
      });
    });
  });
});

describe('NPL and provisioning report', () => {
  it('lines come from the KPI tables and the movements mart; the displayed roll-forward balances', async () => {
    const { headers, rows } = await readSheet(join(first.dir, 'npl-provisioning.xlsx'));
    const col = (h: string) => headers.indexOf(h);
    const line = (label: string) => rows.find((r) => r[0] === label)!;
    const m0 = col('本月');
    expect(units(line('各项贷款余额')[m0])).toBe(22_350);
    expect(units(line('不良贷款余额')[m0])).toBe(7_050);
    expect(line('不良贷款率')[m0]).toBe(KPI_EXPECTED.npl_ratio.all[2]);
    expect(line('拨备覆盖率')[m0]).toBe(KPI_EXPECTED.provision_coverage.all[2]);
    expect(line('贷款拨备率')[m0]).toBe(KPI_EXPECTED.loan_provision_ratio.all[2]);
    expect(units(line('贷款损失准备余额')[m0])).toBe(4_440);
    // Status words from STATUS_LABELS (was the code 'red'); the ratio's change on the previous month is in percentage points.
    expect(line('不良贷款率')[col('状态')]).toBe('未达标 Off target');
    // previous month from the KPI table
    const [prev] = await wh.all<{ value: number }>(`SELECT value FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice = 'all' AND as_of_month = DATE '2026-09-30'`);
    expect(line('不良贷款率')[col('上月')]).toBe(prev!.value);
    // the change of a ratio is in percentage points (was a fraction shown as "%"): (m0 − m1) × 100, format "+0.00 个百分点 pp"
    expect(line('不良贷款率')[col('比上月增减')]).toBeCloseTo((KPI_EXPECTED.npl_ratio.all[2]! - prev!.value) * 100, 6);
    const ws = (await readSheet(join(first.dir, 'npl-provisioning.xlsx'))).ws;
    const r = rows.findIndex((x) => x[0] === '不良贷款率') + XLSX_FIRST_DATA_ROW;
    expect(ws.getRow(r).getCell(col('比上月增减') + 1).numFmt).toContain('个百分点 pp');
    // Movements at M (thousand CNY): opening 480 (L05 200, L07 100, L09 20, L11 150, L13 10); new 345 (L03, L12, L14);
    // cured 100 (L07); written off 20 (L09); closing 705.
    expect(units(line('期初不良贷款余额')[m0])).toBe(4_800);
    expect(units(line('加：本月新增不良')[m0])).toBe(3_450);
    expect(units(line('减：上迁（转为正常/关注）')[m0])).toBe(1_000);
    expect(units(line('减：核销')[m0])).toBe(200);
    expect(units(line('期末不良贷款余额')[m0])).toBe(7_050);
    expect(line('新增不良笔数')[m0]).toBe(3);
    const outs = ['减：上迁（转为正常/关注）', '减：还款与清收', '减：核销', '减：转让/处置', '减：退出未报送'];
    expect(units(line('期初不良贷款余额')[m0]) + units(line('加：本月新增不良')[m0]) - outs.reduce((a, l) => a + units(line(l)[m0]), 0)).toBe(
      units(line('期末不良贷款余额')[m0]),
    );
    expect(units(line('期末不良贷款余额')[m0])).toBe(units(line('不良贷款余额')[m0]));
  });
});

describe('customer-quality KPI report', () => {
  it('every catalogue KPI for the month and the 12 before, values / targets / RAG exactly as in metrics.kpi_values', async () => {
    const { headers, rows } = await readSheet(join(first.dir, 'kpi-report.xlsx'));
    const col = (h: string) => headers.indexOf(h);
    const kpis = await wh.all<{ metric_id: string; m: string; value: number | null; target: number | null; rag: string; status: string }>(
      `SELECT metric_id, strftime(as_of_month, '%Y-%m') AS m, value, target, rag, status FROM metrics.kpi_values
       WHERE slice = 'all' AND as_of_month BETWEEN DATE '2025-10-31' AND DATE '${AS_OF}' ORDER BY metric_id, as_of_month`,
    );
    // One wide table: rows = KPIs under a heading per section, columns = the reporting months (was one row per KPI × month).
    const catalog = await wh.all<{ metric_id: string; name_zh: string }>('SELECT metric_id, name_zh FROM metrics.metric_catalog');
    const byName = new Map(catalog.map((c) => [c.name_zh, c.metric_id]));
    const kpiRows = rows.filter((r) => byName.has(String(r[col('指标名称')])));
    expect(new Set(kpiRows.map((r) => byName.get(String(r[col('指标名称')]))))).toEqual(new Set(catalog.map((c) => c.metric_id)));
    expect(kpiRows).toHaveLength(catalog.length);
    // reporting months within 12 months before 2026-10: 2025-10, 2026-09, 2026-10 (2025-09 is 13 months before)
    expect(headers.filter((h) => /^\d{4}-\d{2}$/.test(h))).toEqual(['2025-10', '2026-09', '2026-10']);
    const labels: Record<string, string> = { green: '达标 On target', amber: '预警 Watch', red: '未达标 Off target', none: '无目标 No target', no_data: '无数据 No data', too_few: '样本不足 Too few' };
    for (const k of kpis) {
      const r = kpiRows.find((x) => byName.get(String(x[col('指标名称')])) === k.metric_id)!;
      expect(r, `${k.metric_id} ${k.m}`).toBeDefined();
      const v = r[col(k.m)];
      if (k.status === 'no_data' || k.status === 'too_few') {
        // never a number or a colour: "— [n]" with footnote n giving the reason (test/kpi/kpi-availability.test.ts);
        // a too_few row (below the KPI's minimum sample) keeps its value in the warehouse but is never printed
        expect(v, `${k.metric_id} ${k.m}`).toMatch(/^— \[\d+\]$/);
        if (k.m === MONTH) expect(r[col('本月状态')]).toBe(labels[k.status]);
      } else {
        expect(v, `${k.metric_id} ${k.m}`).toBe(k.value);
        if (k.m === MONTH) expect(r[col('本月状态')]).toBe(labels[k.rag]);
      }
    }
    const npl = kpiRows.find((x) => byName.get(String(x[col('指标名称')])) === 'npl_ratio')!;
    expect(npl[col(MONTH)]).toBe(KPI_EXPECTED.npl_ratio.all[2]);
    const defs = await readSheet(join(first.dir, 'kpi-report.xlsx'), 2);
    expect(defs.rows).toHaveLength(catalog.length);
    for (const d of defs.rows) expect(String(d[defs.headers.indexOf('定义')]).length, String(d[0])).toBeGreaterThan(10);
  });
});

describe('large non-performing exposures', () => {
  it('top NPL borrowers with exposure and class; IDs masked to the last 4 characters', async () => {
    const { headers, rows } = await readSheet(join(first.dir, 'large-exposures.xlsx'));
    const col = (h: string) => headers.indexOf(h);
    const data = rows.filter((r) => typeof r[0] === 'number');
    // NPL at M: C05 370 (L05, L11, L12), C03 300 (L03; exposure 400 with L07), C06 35 (L13, L14; exposure 65 with L06)
    expect(data.map((r) => r[col('客户号')])).toEqual(['C05', 'C03', 'C06']);
    expect(data.map((r) => units(r[col('不良贷款余额')]))).toEqual([3_700, 3_000, 350]);
    expect(data.map((r) => units(r[col('贷款余额')]))).toEqual([3_700, 4_000, 650]);
    expect(data.map((r) => r[col('最差五级分类')])).toEqual(['损失', '次级', '可疑']);
    expect(data.map((r) => r[col('证件号码')])).toEqual([realisticId('C05', true), realisticId('C03', true), realisticId('C06', false)].map((id) => '*'.repeat(14) + id.slice(-4)));
    expect(data[2]![col('客户名称')]).toBe('测******'); // individual: first character only
    expect(data[0]![col('客户名称')]).toBe('测试客户C05'); // business name: not personal data
    const total = rows.find((r) => r[0] === '合计 Total')!;
    expect(units(total[col('不良贷款余额')])).toBe(data.reduce((a, r) => a + units(r[col('不良贷款余额')]), 0));
    expect(total[col('占全部不良比例')]).toBeCloseTo(1, 12); // all NPL borrowers are in the list
  });
});

describe('PDF', () => {
  it('exists, A4, a plausible page count, and its text has the month and the NPL ratio', async () => {
    const pdf = join(first.dir, PDF_NAME);
    const info = await runProcess('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)![1]);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(pages).toBeLessThanOrEqual(30); // 25 with the migration form and the 31 KPIs of the KPI report
    const m = JSON.parse(readFileSync(join(first.dir, MANIFEST_NAME), 'utf8')) as Manifest;
    expect(m.files.find((f) => f.path === PDF_NAME)!.pages).toBe(pages);
    expect(info.stdout).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    const text = (await runProcess('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })).stdout;
    expect(text).toContain(MONTH);
    expect(text).toContain(AS_OF);
    expect(text).toContain(`${((705 / 2235) * 100).toFixed(2)}%`); // NPL ratio 31.54%
    expect(text).toContain('贷款五级分类情况表'); // Chinese text is real text, rendered with a CJK font
    expect(text).toMatch(/第 1 页 \/ 共 \d+ 页/);
    const fonts = (await runProcess('pdffonts', [pdf], { encoding: 'utf8' })).stdout;
    expect(fonts).toMatch(/WenQuanYi|Noto.*CJK|Noto Sans SC|Source Han/i);
  });
});

describe('personal data', () => {
  /** Every needle found in a package: raw bytes of every file, every entry inside the XLSX zips, the PDF text. */
  async function scan(dir: string, values: readonly string[]): Promise<string[]> {
    const hits: string[] = [];
    for (const f of listFiles(dir)) {
      const bytes = readFileSync(join(dir, f));
      const texts = [bytes.toString('utf8')];
      if (f.endsWith('.xlsx')) for (const e of readZip(bytes)) texts.push(entryData(e).toString('utf8'));
      if (f.endsWith('.pdf')) texts.push((await runProcess('pdftotext', [join(dir, f), '-'], { encoding: 'utf8' })).stdout.replace(/\s+/g, ''));
      for (const v of values) if (texts.some((t) => t.includes(v))) hits.push(`${f}: ${v}`);
    }
    return hits;
  }

  it('no full ID number or individual name appears in the package (incl. inside the XLSX zips and the PDF text)', async () => {
    expect(needles.length).toBeGreaterThanOrEqual(15);
    expect(await scan(first.dir, needles)).toEqual([]);
  });

  it('--unmasked shows them, and the manifest records it (the scan can fail)', async () => {
    const out = join(root, 'unmasked');
    const r = await cli(['--month', MONTH, '--warehouse', warehouse, '--out', out, '--unmasked', '--no-pdf', '--report', 'large-exposures']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('UNMASKED');
    const m = JSON.parse(readFileSync(join(out, MONTH, MANIFEST_NAME), 'utf8')) as Manifest;
    expect(m.masking.unmasked).toBe(true);
    const hits = await scan(join(out, MONTH), needles);
    expect(hits).toContain(`large-exposures.csv: ${realisticId('C06', false)}`);
    expect(hits).toContain(`large-exposures.xlsx: ${realisticId('C05', true)}`);
  });
});

describe('--verify', () => {
  it('passes on an untouched package and names the file after a one-byte change', async () => {
    const copy = join(root, 'verify', MONTH);
    cpSync(first.dir, copy, { recursive: true });
    const ok = await cli(['--verify', copy]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('13 files match manifest.json');

    const csv = join(copy, 'npl-provisioning.csv');
    const bytes = readFileSync(csv);
    bytes[bytes.length - 3] ^= 1;
    writeFileSync(csv, bytes);
    const bad = await cli(['--verify', copy]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('EXPORT_VERIFY_FAILED');
    expect(bad.stderr).toContain('npl-provisioning.csv: changed');
    expect(bad.stderr).not.toContain('five-category.csv');
  });

  it('detects a changed byte inside an XLSX, a missing file, an extra file and an edited manifest', () => {
    const copy = join(root, 'verify2', MONTH);
    cpSync(first.dir, copy, { recursive: true });
    const x = join(copy, 'five-category.xlsx');
    const b = readFileSync(x);
    b[100] ^= 0xff;
    writeFileSync(x, b);
    rmSync(join(copy, 'kpi-definitions.csv'));
    writeFileSync(join(copy, 'extra.txt'), 'x');
    const fail = () => {
      try {
        verifyPackage(copy);
      } catch (e) {
        expect(isCqError(e, 'EXPORT_VERIFY_FAILED')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('verify passed');
    };
    const msg = fail();
    expect(msg).toContain('five-category.xlsx: changed');
    expect(msg).toContain('kpi-definitions.csv: missing');
    expect(msg).toContain('extra.txt: not in the manifest');

    const copy2 = join(root, 'verify3', MONTH);
    cpSync(first.dir, copy2, { recursive: true });
    const mpath = join(copy2, MANIFEST_NAME);
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
    m.files[0]!.sha256 = sha256('forged');
    writeFileSync(mpath, JSON.stringify(m));
    expect(() => verifyPackage(copy2)).toThrow(/five-category\.csv: changed.*package_sha256 does not match/s);
  });
});

describe('templates are data', () => {
  it('a lender changes the five-category layout in YAML only: rows by branch, a renamed header', async () => {
    const dir = join(root, 'templates');
    cpSync('policy/reports', dir, { recursive: true });
    const file = join(dir, 'five-category.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^(\s+)rows_from: product_id$/m, '$1rows_from: branch_id')
        .replace('label_zh: 一、按贷款产品', 'label_zh: 一、按机构')
        .replace('header_zh: 不良贷款率,', 'header_zh: 不良率,'),
    );
    const r = await exportPackage(wh, { month: MONTH, outDir: join(root, 'custom'), templatesDir: dir, reports: ['five-category'], pdf: false });
    const { headers, rows } = await readSheet(join(r.dir, 'five-category.xlsx'));
    expect(headers.at(-1)).toBe('不良率');
    expect(rows[0]![0]).toBe('一、按机构');
    // BJ01: L01 500 + L02 40 + L05 200 + L11 150 + L12 20 = 910; SH01: 1,325
    expect(units(rows.find((x) => x[0] === '北京分行')![headers.indexOf('贷款余额合计')])).toBe(9_100);
    expect(units(rows.find((x) => x[0] === '上海分行')![headers.indexOf('贷款余额合计')])).toBe(13_250);
    expect(rows.find((x) => x[0] === '北京分行')![headers.length - 1]).toBe(KPI_EXPECTED.npl_ratio.BJ01[2]); // from the branch KPI slice
    expect(r.manifest.reports[0]!.template_sha256).toBe(sha256(readFileSync(file)));
  });

  it('a section that leaves loans in no row fails naming the template and the loans', async () => {
    const dir = join(root, 'templates-bad');
    cpSync('policy/reports', dir, { recursive: true });
    const file = join(dir, 'five-category.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\s+- \{ code: (P3|Z),[^\n]*/g, '')); // no catch-all rows left
    await expect(exportPackage(wh, { month: MONTH, outDir: join(root, 'bad'), templatesDir: dir, reports: ['five-category'], pdf: false })).rejects.toThrow(
      /five-category\.yaml: tables\[0\]\.sections\[1\] \(by_industry\) leaves loans of 2026-10-31 in no row/,
    );
  });
});

describe('CLI and nightly entry point', () => {
  it('refuses a month the warehouse does not report, listing the months it has', async () => {
    await expect(exportPackage(wh, { month: '2026-08', outDir: join(root, 'x'), pdf: false })).rejects.toThrow(/2026-08 is not a reporting month.*2025-09, 2025-10, 2026-09, 2026-10/);
    const r = await cli(['--month', '2026-13', '--warehouse', warehouse]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CLI_USAGE');
  });

  it('--report selects reports; --run-id / --generated-at are recorded', async () => {
    const out = join(root, 'sel');
    const r = await exportPackage(wh, { month: MONTH, outDir: out, reports: ['npl-provisioning'], pdf: false, runId: 'R42', generatedAt: '2026-11-01 02:00:00' });
    expect(listFiles(r.dir)).toEqual([MANIFEST_NAME, 'npl-provisioning.csv', 'npl-provisioning.xlsx']);
    expect(r.manifest).toMatchObject({ run_id: 'R42', generated_at: '2026-11-01T02:00:00Z', generated_at_source: 'option' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(r.dir, 'npl-provisioning.xlsx'));
    expect(wb.created.toISOString()).toBe('2026-11-01T02:00:00.000Z');
    await expect(exportPackage(wh, { month: MONTH, outDir: out, reports: ['nope'] })).rejects.toThrow(/no such report.*five-category/);
  });

  it('in a nightly-built warehouse, run id and generated-at come from ops.runs', async () => {
    const copy = join(root, 'with-runs.duckdb');
    cpSync(warehouse, copy);
    const w = await openWarehouse(copy);
    try {
      await w.exec(`CREATE TABLE ops.runs (run_id VARCHAR, status VARCHAR, finished_at TIMESTAMP);
        INSERT INTO ops.runs VALUES ('R1', 'succeeded', TIMESTAMP '2026-11-01 02:00:00'), ('R2', 'succeeded', TIMESTAMP '2026-11-02 02:30:07'),
          ('R3', 'failed', TIMESTAMP '2026-11-03 02:00:00');`);
      const latest = await exportPackage(w, { month: MONTH, outDir: join(root, 'runs-a'), pdf: false, reports: ['kpi-report'] });
      expect(latest.manifest).toMatchObject({ run_id: 'R2', generated_at: '2026-11-02T02:30:07Z', generated_at_source: 'ops.runs' });
      const given = await exportPackage(w, { month: MONTH, outDir: join(root, 'runs-b'), pdf: false, reports: ['kpi-report'], runId: 'R1' });
      expect(given.manifest).toMatchObject({ run_id: 'R1', generated_at: '2026-11-01T02:00:00Z' });
    } finally {
      await w.close();
    }
  });

  it('exportMonths (the nightly step) writes one package per month and counts the files', async () => {
    const out = join(root, 'nightly');
    const r = await exportMonths({ warehouse, outDir: out, runId: 'N1', months: ['2026-09', '2026-10', '2026-10'] });
    expect(r.files).toBe(28); // 2 × (13 files + manifest)
    expect(readdirSync(out).sort()).toEqual(['2026-09', '2026-10']);
    expect(verifyPackage(join(out, '2026-09')).files).toBe(13);
    expect(existsSync(join(out, '2026-10', PDF_NAME))).toBe(true);
  });
});
