import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { STATUS_LABELS } from '../../../transforms/kpi/rag.js';
import { generateSample } from '../../../transforms/sample/generate-sample.js';
import { sha256 } from '../../../transforms/publish/exports/manifest.js';
import { parseBusinessMonth } from '../../../transforms/publish/exports/run-info.js';
import { amountCurrency } from '../../../transforms/publish/exports/amount-currency.js';
import { figureKey, PublishedFigures, publishBookFigures } from '../../../transforms/publish/exports/published-figures.js';
import { readBookData, rollForward, shownTotal } from '../../../transforms/publish/report-book/book-data.js';
import { brokenXrefEntries, PDF_PRODUCER } from '../../../transforms/publish/exports/pdf-metadata.js';
import { BOOK_SECTIONS, BOOK_TITLE_ZH } from '../../../transforms/publish/report-book/book-html.js';
import { bookFileName, writeReportBook, type ReportBookResult } from '../../../transforms/publish/report-book/report-book.js';
import { runProcess } from '../../helpers/run-process.js';

/**
 * The monthly report book end to end on a generated sample (real generator, loader, KPI engine,
 * DuckDB, Vega-Lite and Chromium): every section where the contents say, the same bytes twice,
 * a table longer than a page repeating its header on every page and never splitting a row, and
 * figures and sentences taken from the warehouse (catalogue, commentary, movements, branches).
 */

let root: string;
let wh: WarehouseHandle;
let month: string;
let first: ReportBookResult;
let second: ReportBookResult;
/** Text of each page (pdftotext -layout), index 0 = page 1. */
let pages: string[];

const INSTITUTION = { nameZh: '测试农村商业银行股份有限公司', nameEn: 'Test Rural Commercial Bank', code: 'B1234H000000077' };
const squeeze = (t: string) => t.replace(/\s+/g, '');

async function pageTexts(pdf: string, count: number): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) texts.push((await runProcess('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' })).stdout);
  return texts;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-report-book-'));
  await generateSample({ customers: 300, months: 14, seed: 42, out: join(root, 'extracts') });
  const path = join(root, 'warehouse.duckdb');
  const w = await openWarehouse(path);
  await loadExtracts(w, join(root, 'extracts'));
  await buildWarehouse(w);
  await w.exec('CHECKPOINT');
  await w.close();
  wh = await openWarehouse(path, { readOnly: true });
  [{ month }] = (await wh.all<{ month: string }>(`SELECT strftime(max(as_of_month), '%Y-%m') AS month FROM core.dim_months`)) as [{ month: string }];
  const options = { month, institution: INSTITUTION, signatories: { preparedBy: '张三', reviewedBy: '李四', approvedBy: '王五' } };
  first = await writeReportBook(wh, { ...options, outDir: join(root, 'a') });
  second = await writeReportBook(wh, { ...options, outDir: join(root, 'b') });
  pages = await pageTexts(first.file, first.pages);
}, 600_000);

afterAll(async () => {
  await wh?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('report book', () => {
  it('is an A4 PDF named after the month, with cover, institution, as-of, run and sign-off', async () => {
    expect(first.file).toBe(join(root, 'a', bookFileName(month)));
    const info = (await runProcess('pdfinfo', [first.file], { encoding: 'utf8' })).stdout;
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(first.pages);
    const cover = squeeze(pages[0]!);
    for (const t of [BOOK_TITLE_ZH, INSTITUTION.nameZh, INSTITUTION.code, first.runId, '张三', '李四', '王五', '填表人', '复核人', '负责人']) expect(cover).toContain(squeeze(t));
    expect(cover).not.toContain('草稿'); // a preparer is named
    expect(cover).toContain(parseBusinessMonth(month).asOfDate);
    // Running header and footer with page numbers on every page.
    pages.forEach((p, i) => {
      expect(p, `page ${i + 1}`).toContain(`第 ${i + 1} 页 / 共 ${first.pages} 页`);
      expect(p, `page ${i + 1}`).toContain(`报告期 Period ${month}`);
    });
  });

  it('every section heading is on the page the contents give', () => {
    const toc = squeeze(pages[1]!.split('数据截止日')[0]!);
    BOOK_SECTIONS.forEach((s, i) => {
      const page = first.sectionPages[s.id]!;
      expect(page, s.id).toBeGreaterThan(2);
      expect(squeeze(pages[page - 1]!), `${s.zh} on page ${page}`).toContain(squeeze(`${s.zh}${s.en}`));
      // The contents line: heading (Chinese, English) and the page number, nothing else.
      const next = BOOK_SECTIONS[i + 1];
      const line = toc.slice(toc.indexOf(s.zh), next ? toc.indexOf(next.zh) : undefined);
      expect(line.replace(s.zh, '').replace(squeeze(s.en), ''), `contents line of ${s.id}`).toBe(String(page));
    });
    const order = BOOK_SECTIONS.map((s) => first.sectionPages[s.id]!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('rendering the same month twice gives the same SHA-256; dates from the run, fixed producer, valid offsets', async () => {
    const a = readFileSync(first.file);
    const b = readFileSync(second.file);
    expect(sha256(a)).toBe(first.sha256);
    expect(sha256(b)).toBe(sha256(a));
    const info = (await runProcess('pdfinfo', ['-isodates', first.file], { encoding: 'utf8' })).stdout;
    expect(info).toContain(`Producer:        ${PDF_PRODUCER}`);
    expect(info).toContain(`CreationDate:    ${first.generatedAt}`);
    expect(info).not.toMatch(/Skia|HeadlessChrome/);
    expect(brokenXrefEntries(a)).toEqual([]);
  });

  it('a table longer than a page repeats its header rows on every page it spans and never splits a row', async () => {
    // The source extracts of the data-quality annex: one row per loaded file up to the month end.
    const [{ n }] = (await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ops.load_audit WHERE business_date <= last_day(DATE '${month}-01')`)) as [{ n: number }];
    const rowLine = /^\s*\d{4}-\d{2}-\d{2}\s+[a-z_]+\s+[\d,]+\s+[\d,]+\s+[0-9a-f]{16}\s*$/;
    const spanned = pages.map((p, i) => ({ page: i + 1, rows: p.split('\n').filter((l) => rowLine.test(l)).length, text: p })).filter((p) => p.rows > 0);
    expect(spanned.reduce((a, p) => a + p.rows, 0)).toBe(n); // every row whole on one line of one page
    expect(spanned.length).toBeGreaterThanOrEqual(2);
    for (const p of spanned) {
      expect(p.text.match(/入库行数/g)?.length, `page ${p.page}`).toBe(1);
      expect(p.text.match(/Rows loaded/g)?.length, `page ${p.page}`).toBe(1);
    }
  });

  it('KPI board: every catalogue KPI with its status words; no metric id printed', async () => {
    const catalog = await wh.all<{ metric_id: string; name_zh: string }>(`SELECT metric_id, name_zh FROM metrics.metric_catalog`);
    const board = BOOK_SECTIONS.findIndex((s) => s.id === 'kpi-board');
    const from = first.sectionPages['kpi-board']!;
    const to = first.sectionPages[BOOK_SECTIONS[board + 1]!.id]!;
    const text = squeeze(pages.slice(from - 1, to - 1).join('\n'));
    for (const c of catalog) expect(text, c.name_zh).toContain(squeeze(c.name_zh));
    const words = await wh.all<{ w: string }>(
      `SELECT DISTINCT status_word AS w FROM metrics.kpi_values WHERE slice = 'all' AND as_of_month = last_day(DATE '${month}-01')`,
    );
    for (const { w } of words) {
      const l = (STATUS_LABELS as Record<string, { zh: string; en: string }>)[w]!;
      expect(text, w).toContain(squeeze(`${l.zh} ${l.en}`));
    }
    const all = pages.join('\n');
    for (const c of catalog) expect(all, c.metric_id).not.toMatch(new RegExp(`\\b${c.metric_id}\\b`));
  });

  it('narrative: the month\'s sentences of the commentary, Chinese and English, invented none', async () => {
    const rows = await wh.all<{ zh: string; en: string }>(
      `SELECT text_zh AS zh, text_en AS en FROM metrics.kpi_commentary WHERE slice = 'all' AND as_of_month = last_day(DATE '${month}-01') ORDER BY seq`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const page = first.sectionPages.narrative!;
    const text = squeeze(pages.slice(page - 1, first.sectionPages['npl-movements']! - 1).join('\n'));
    for (const r of rows) {
      expect(text).toContain(squeeze(r.zh));
      expect(text).toContain(squeeze(r.en));
    }
  });

  it('NPL movements in movement order with the closing balance in 万元; branch ranking worst first; migration says what it has', async () => {
    const movements = await wh.all<{ movement: string; balance: number }>(
      `SELECT movement, CAST(balance AS DOUBLE) AS balance FROM marts.mart_risk__npl_movements WHERE slice = 'all' AND as_of_month = last_day(DATE '${month}-01') ORDER BY movement_order`,
    );
    const labels = await wh.all<{ code: string; zh: string }>(`SELECT code, label_zh AS zh FROM core.dim_code_labels WHERE kind = 'npl_movement'`);
    const label = (code: string) => labels.find((l) => l.code === code)?.zh ?? code;
    const text = squeeze(pages[first.sectionPages['npl-movements']! - 1]!);
    let at = -1;
    for (const m of movements) {
      const i = text.indexOf(squeeze(label(m.movement)), at + 1);
      expect(i, m.movement).toBeGreaterThan(at);
      at = i;
    }
    const closing = movements.filter((m) => /clos/.test(m.movement)).at(-1);
    if (closing) expect(text).toContain(new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.round(closing.balance / 100) / 100));

    // The first asset-quality KPI of the catalogue sliced by branch: branches from the highest (worst) value down.
    const branches = await wh.all<{ label: string }>(
      `SELECT v.slice_label AS label FROM metrics.kpi_values v JOIN metrics.metric_catalog c USING (metric_id)
       WHERE v.slice = 'branch' AND v.as_of_month = last_day(DATE '${month}-01') AND trim(c.page, '/') = 'npl' AND v.value IS NOT NULL
         AND c.sort_order = (SELECT min(sort_order) FROM metrics.metric_catalog c2 WHERE trim(c2.page, '/') = 'npl'
                             AND EXISTS (SELECT 1 FROM metrics.kpi_values v2 WHERE v2.metric_id = c2.metric_id AND v2.slice = 'branch'))
       ORDER BY v.value DESC, v.slice_value`,
    );
    expect(branches.length).toBeGreaterThan(2);
    const rank = pages.slice(first.sectionPages.branches! - 1, first.sectionPages['early-warning']! - 1).join('\n');
    const lines = rank.split('\n').filter((l) => /^\s*\d+\s+\S/.test(l));
    expect(lines.map((l) => l.trim().split(/\s+/)[1])).toEqual(branches.map((b) => b.label));

    const migration = await wh.all<{ name_zh: string }>(`SELECT name_zh FROM metrics.metric_catalog WHERE trim(page, '/') = 'migration' ORDER BY sort_order`);
    const mig = squeeze(pages[first.sectionPages.migration! - 1]!);
    if (migration.length) for (const m of migration) expect(mig).toContain(squeeze(m.name_zh));
    else expect(mig).toContain('本期数据仓库中没有分类迁徙指标');
  });

  it('the printed NPL lines add up to the printed closing, the printed classes to the printed total, as the package prints them', async () => {
    const bm = parseBusinessMonth(month);
    const d = await readBookData(wh, bm, {
      runId: 'r',
      generatedAt: '2026-01-01T00:00:00Z',
      institution: INSTITUTION,
      signatories: { preparedBy: '', reviewedBy: '', approvedBy: '', date: '2026-01-01' },
      amounts: await amountCurrency(wh, bm),
    });
    const cents = (w: number) => Math.round(w * 100);
    const fmt = (w: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(w);
    const flow = rollForward(d.movements);
    expect(flow.length).toBeGreaterThan(2);
    // Printed: opening + each addition − each reduction = closing, to the cent of a 万元 (not only within rounding).
    const added = flow.slice(0, -1).reduce((a, m) => a + (m.sign === 0 ? cents(m.shown) : m.sign * cents(m.shown)), 0);
    expect(added).toBe(cents(flow.at(-1)!.shown));
    for (const m of d.movements) expect(Math.abs(m.shown * 10_000 - m.balance), m.code).toBeLessThanOrEqual(100); // within one 0.01 万元
    const page = squeeze(pages[first.sectionPages['npl-movements']! - 1]!);
    for (const m of flow) expect(page, m.code).toContain(fmt(m.shown));

    // Five-category: the printed classes add up to the printed total, and equal the regulator package's figures
    // (publishBook rounds the same tree: total → NPL / performing → classes).
    const figures = new PublishedFigures();
    await publishBookFigures(wh, bm.asOfDate, figures);
    for (const c of d.classes) expect(cents(c.shown), c.cls).toBe(Number(figures.get(figureKey(`balance:${c.cls}`, 'book', bm.asOfDate))));
    expect(cents(shownTotal(d.classes))).toBe(Number(figures.get(figureKey('balance', 'book', bm.asOfDate))));
    const five = squeeze(pages.slice(first.sectionPages['five-category']! - 1, first.sectionPages['five-category']! + 1).join(''));
    expect(five).toContain(squeeze(`合计${d.classes.reduce((a, c) => a + c.loans, 0).toLocaleString('en-US')}${fmt(shownTotal(d.classes))}`));
  });

  it('glossary: every KPI with its Chinese and English definition', async () => {
    const catalog = await wh.all<{ name_en: string; description: string; description_zh: string }>(`SELECT name_en, description, description_zh FROM metrics.metric_catalog`);
    const text = squeeze(pages.slice(first.sectionPages.glossary! - 1).join('\n'));
    for (const c of catalog) {
      expect(text).toContain(squeeze(c.description_zh).slice(0, 12));
      expect(text).toContain(squeeze(c.description).slice(0, 16));
    }
  });
});

describe('cq report', () => {
  const cq = (args: string[]) => runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/cq.ts', 'report', ...args], { encoding: 'utf8', cwd: process.cwd() });

  it('needs --month and a reporting month of the warehouse', async () => {
    const none = await cq(['--warehouse', join(root, 'warehouse.duckdb'), '--out', join(root, 'cli')]);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--month is required/);
    const wrong = await cq(['--month', '1999-01', '--warehouse', join(root, 'warehouse.duckdb'), '--out', join(root, 'cli')]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/1999-01 is not a reporting month/);
  });
});
