import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openWarehouse } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError, isCqError } from '../../lib/errors.js';
import { DEFAULT_CONFIG, type Institution, type Signatories } from '../../config/config.js';
import { DEFAULT_REJECT_LIMITS, enforceRejectGate, type RejectLimits } from '../../ingest/load/reject-gate.js';
import { amountCurrency } from '../exports/amount-currency.js';
import { catalogDisplay } from '../exports/kpi-lookup.js';
import { sha256 } from '../exports/manifest.js';
import { normalisePdf } from '../exports/pdf-metadata.js';
import { openPdfPrinter, pdfPageCount } from '../exports/print-pdf.js';
import { parseBusinessMonth, requireMonth, resolveRunInfo } from '../exports/run-info.js';
import { branchRankingSvg, fiveCategorySvg, waterfallSvg } from './book-charts.js';
import { readBookData, type BookData } from './book-data.js';
import { BOOK_SECTIONS, bookFooterTemplate, bookHeaderTemplate, bookHtml, type BookCharts } from './book-html.js';
import { pdfDestinationPages } from './pdf-destinations.js';

/** File name of a month's report book. @example bookFileName('2026-10') // 'report-book-2026-10.pdf' */
export function bookFileName(month: string): string {
  return `report-book-${month}.pdf`;
}

/** Options of {@link writeReportBook}. */
export interface ReportBookOptions {
  /** Business month `YYYY-MM`. */
  month: string;
  /** Folder the PDF is written to (`<outDir>/report-book-<YYYY-MM>.pdf`, replaced atomically). */
  outDir: string;
  /** Run id on the cover. Default: from ops.runs / ops.load_audit (run-info.ts). */
  runId?: string;
  /** Generated-at (cover, PDF dates). Default: from the run, never the clock. */
  generatedAt?: string;
  institution?: Institution;
  signatories?: Partial<Signatories>;
  /** Date of the sign-off block (`YYYY-MM-DD`). Default: the date of generated-at. */
  signedOn?: string;
  /** The publish gate, as for the regulator package. Default DEFAULT_REJECT_LIMITS. */
  rejectLimits?: RejectLimits;
  /** Config file named in a REJECT_LIMIT refusal. */
  configFile?: string;
  /** Chromium binary (default `$CHROMIUM_PATH`, else /usr/bin/chromium). */
  chromiumPath?: string;
  onProgress?: (message: string) => void;
}

/** Result of {@link writeReportBook}. */
export interface ReportBookResult {
  file: string;
  bytes: number;
  sha256: string;
  pages: number;
  /** Page on which each section starts (the contents' numbers). */
  sectionPages: Record<string, number>;
  runId: string;
  generatedAt: string;
}

async function charts(d: BookData): Promise<BookCharts> {
  const first = d.branchKpis[0];
  const cat = first ? d.catalog.find((c) => c.metric_id === first.metricId) : undefined;
  return {
    waterfall: d.movements.length ? await waterfallSvg(d.movements, `${d.amounts.unit.zh} ${d.amounts.unit.en}`) : null,
    fiveCategory: d.classes.length ? await fiveCategorySvg(d.classes, d.month, d.prevAsOfDate?.slice(0, 7) ?? null) : null,
    branchRanking: first && cat && d.branches.length ? await branchRankingSvg(d.branches, first, cat.target ?? null, catalogDisplay(cat).format) : null,
  };
}

/**
 * Writes the monthly report book (信贷资产质量月报) of `month` as a paginated A4 PDF,
 * `<outDir>/report-book-<YYYY-MM>.pdf`: cover (institution, as-of, run, sign-off), contents with
 * page numbers, KPI board, narrative, NPL waterfall, five-category distribution, migration, branch
 * ranking, early warning, model performance, data-quality and glossary annexes (book-html.ts),
 * charts drawn server-side with Vega-Lite. Printed twice with headless Chromium: the first print
 * tells on which page each section starts (pdf-destinations.ts), the second carries those numbers.
 * Byte-reproducible: the same month from the same warehouse gives the same SHA-256 (dates from the
 * run, fixed producer; see normalisePdf). Refused like the regulator package for a month over its
 * reject limits, a month that is not a reporting month, or amounts that could not be converted.
 *
 * @example
 * const wh = await openWarehouse('data/warehouse.duckdb', { readOnly: true });
 * const r = await writeReportBook(wh, { month: '2026-10', outDir: 'reports' });
 * r.file; // '/…/reports/report-book-2026-10.pdf'
 */
export async function writeReportBook(wh: WarehouseHandle, options: ReportBookOptions): Promise<ReportBookResult> {
  const progress = options.onProgress ?? (() => {});
  const bm = parseBusinessMonth(options.month);
  await requireMonth(wh, bm);
  await enforceRejectGate(wh, { month: bm.month }, options.rejectLimits ?? DEFAULT_REJECT_LIMITS, {
    action: `the ${bm.month} report book is not written`,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    warn: progress,
  });
  const amounts = await amountCurrency(wh, bm);
  const run = await resolveRunInfo(wh, { ...(options.runId ? { runId: options.runId } : {}), ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}) });
  const signedOn = options.signedOn ?? run.generatedAt.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(signedOn)) throw new CqError('CLI_USAGE', `sign-off date ${signedOn}: not a date YYYY-MM-DD.`);
  progress('reading the warehouse');
  const data = await readBookData(wh, bm, {
    runId: run.runId,
    generatedAt: run.generatedAt,
    institution: options.institution ?? DEFAULT_CONFIG.institution,
    signatories: { ...DEFAULT_CONFIG.signatories, ...(options.signatories ?? {}), date: signedOn },
    amounts,
  });
  progress('drawing charts');
  const svg = await charts(data);
  const templates = { headerTemplate: bookHeaderTemplate(data), footerTemplate: bookFooterTemplate(data) };
  const printer = await openPdfPrinter(options.chromiumPath ? { executablePath: options.chromiumPath } : {});
  let pages: Map<string, number>;
  let pdf: Buffer;
  try {
    progress('laying out pages');
    pages = pdfDestinationPages(await printer.print(bookHtml(data, svg, null), templates));
    const missing = BOOK_SECTIONS.filter((s) => !pages.has(s.id)).map((s) => s.id);
    if (missing.length) throw new CqError('EXPORT_FAILED', `the report book's contents could not find the page of ${missing.join(', ')} in the printed PDF.`);
    progress('printing the PDF');
    pdf = normalisePdf(await printer.print(bookHtml(data, svg, pages), templates), { date: run.generatedAt });
  } finally {
    await printer.close();
  }
  const again = pdfDestinationPages(pdf);
  const moved = BOOK_SECTIONS.filter((s) => again.get(s.id) !== pages.get(s.id)).map((s) => s.id);
  if (moved.length) throw new CqError('EXPORT_FAILED', `the report book's sections ${moved.join(', ')} moved between the two prints, so the contents would be wrong.`);

  const dir = resolve(options.outDir);
  const file = join(dir, bookFileName(bm.month));
  const work = `${file}.partial-${process.pid}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(work, pdf);
    renameSync(work, file);
  } catch (e) {
    rmSync(work, { force: true });
    if (isCqError(e)) throw e;
    throw new CqError('EXPORT_FAILED', `writing ${file} failed: ${(e as Error).message}`, { file }, { cause: e });
  }
  return { file, bytes: pdf.length, sha256: sha256(pdf), pages: pdfPageCount(pdf), sectionPages: Object.fromEntries(pages), runId: run.runId, generatedAt: run.generatedAt };
}

/**
 * The nightly job's entry point: opens the (closed, checkpointed) release warehouse read-only and
 * writes the report book of the latest business month of the night into `outDir`, stamped with
 * the run id. Returns a one-line detail for the run's step list.
 *
 * @example
 * await nightlyReportBook({ warehouse: 'data/releases/R1.partial/warehouse.duckdb', outDir: 'data/releases/R1.partial/report-book', runId: 'R1', dates: ['2026-10-31'] });
 */
export async function nightlyReportBook(
  o: { warehouse: string; outDir: string; runId: string; dates: readonly string[] } & Pick<ReportBookOptions, 'institution' | 'signatories' | 'rejectLimits' | 'configFile'>,
): Promise<{ detail: string; file: string }> {
  const month = [...o.dates].sort().at(-1)?.slice(0, 7);
  if (!month) throw new CqError('EXPORT_FAILED', 'the night loaded no business date, so there is no month for the report book.');
  const wh = await openWarehouse(o.warehouse, { readOnly: true });
  try {
    const r = await writeReportBook(wh, {
      month,
      outDir: o.outDir,
      runId: o.runId,
      ...(o.institution ? { institution: o.institution } : {}),
      ...(o.signatories ? { signatories: o.signatories } : {}),
      ...(o.rejectLimits ? { rejectLimits: o.rejectLimits } : {}),
      ...(o.configFile ? { configFile: o.configFile } : {}),
    });
    return { detail: `${bookFileName(month)}: ${r.pages} pages`, file: r.file };
  } finally {
    await wh.close();
  }
}
