import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { normalizeZip } from '../exports/zip-file.js';
import { XLSX_CREATOR } from '../exports/write-xlsx.js';

/** One column of a branch list: its key in the rows, bilingual header, width and kind. */
export interface BranchListColumn {
  key: string;
  zh: string;
  en: string;
  kind: 'text' | 'int' | 'money' | 'date';
  width?: number;
}

/** One branch's list: the branch and its rows (already masked and labelled). */
export interface BranchList {
  branchId: string;
  branchLabel: string;
  rows: readonly Record<string, string | number | null>[];
}

/** Titles and notes of a kind of list (the same for every branch). */
export interface BranchListSpec {
  titleZh: string;
  titleEn: string;
  /** Lines under the headers' title: what the list is, how ids are masked, the as-of date. */
  notes: readonly string[];
  columns: readonly BranchListColumn[];
}

const HEADER_FILL = 'FFDCE6F1';
const THIN = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };

/**
 * One branch's list as an XLSX workbook: bilingual title with the branch and the as-of date, notes,
 * Chinese and English header rows (frozen, repeated when printed), one row per entry; money as
 * `#,##0.00` yuan, dates as dates. An empty list says so in its first row (a branch learns the list
 * ran). Byte-reproducible: created / modified are `generatedAt` and the ZIP entries carry it.
 * Written with exceljs's streaming writer, each row serialised as it is added: memory holds the
 * branch's rows, not a cell object per value (a 100,000-row list with the in-memory workbook took
 * gigabytes at 10M customers).
 *
 * @example
 * writeFileSync('watch-list-BJ01-2026-10.xlsx', await branchListXlsx(spec, list, '2026-10-31', '2026-11-01T02:30:00Z'));
 */
export async function branchListXlsx(spec: BranchListSpec, list: BranchList, asOfDate: string, generatedAt: string): Promise<Buffer> {
  const at = new Date(generatedAt);
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = XLSX_CREATOR;
  wb.lastModifiedBy = XLSX_CREATOR;
  wb.created = at;
  wb.modified = at;
  wb.title = `${spec.titleZh} ${spec.titleEn} ${list.branchId} ${asOfDate}`;
  // The English header row: title, as-of line, the notes, then the Chinese and English headers. The
  // streaming writer takes the frozen pane and the print titles up front, before any row exists.
  const headerRow = 2 + spec.notes.length + 2;
  const ws = wb.addWorksheet(spec.titleZh.slice(0, 28), {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${headerRow - 1}:${headerRow}` },
    views: [{ state: 'frozen', ySplit: headerRow }],
  });
  // Column widths and number formats before the first row is written (the streaming writer
  // writes <cols> with the first row).
  spec.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.width ?? (c.kind === 'text' ? 18 : 14);
    if (c.kind === 'money') col.numFmt = '#,##0.00';
    if (c.kind === 'int') col.numFmt = '#,##0';
    if (c.kind === 'date') col.numFmt = 'yyyy-mm-dd';
  });
  const title = ws.addRow([`${spec.titleZh} ${spec.titleEn}`]);
  title.font = { bold: true, size: 13 };
  title.commit();
  ws.addRow([`${list.branchLabel} · 数据截止日 As of ${asOfDate}`]).commit();
  for (const n of spec.notes) {
    const r = ws.addRow([n]);
    r.font = { italic: true, color: { argb: 'FF555555' } };
    r.commit();
  }
  const zh = ws.addRow(spec.columns.map((c) => c.zh));
  const en = ws.addRow(spec.columns.map((c) => c.en));
  for (const r of [zh, en]) {
    r.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
      cell.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
      cell.alignment = { wrapText: true, vertical: 'middle' };
    });
  }
  zh.eachCell((cell) => (cell.font = { bold: true }));
  en.eachCell((cell) => (cell.font = { color: { argb: 'FF555555' } }));
  zh.commit();
  en.commit();
  if (list.rows.length === 0) ws.addRow(['本期无记录 Nothing listed this period']).commit();
  for (const row of list.rows) {
    ws.addRow(
      spec.columns.map((c) => {
        const v = row[c.key] ?? null;
        if (v === null) return null;
        if (c.kind === 'date') return new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
        if (c.kind === 'money' || c.kind === 'int') return Number(v);
        return String(v);
      }),
    ).commit();
  }
  ws.commit();
  await wb.commit();
  return normalizeZip(Buffer.concat(chunks), generatedAt);
}

/** File name of a branch's list. @example branchListFileName('watch-list', 'BJ01', '2026-10') // 'watch-list-BJ01-2026-10.xlsx' */
export function branchListFileName(kind: string, branchId: string, month: string): string {
  return `${kind}-${branchId.replace(/[^A-Za-z0-9_-]/g, '_')}-${month}.xlsx`;
}

/**
 * Writes one workbook per branch of core.dim_branches into `outDir` (an empty list for a branch with
 * none), replacing the folder as a whole (written beside it, then renamed). `branchRowsSql` reads
 * one branch's rows in the list's order, the branch as its parameter `$1`; one branch is read and
 * written at a time, so memory holds the largest branch's list, never the whole bank's. Returns the
 * files and the number of rows.
 *
 * @example
 * await writeBranchWorkbooks(wh, spec, 'SELECT … FROM marts.mart_monitoring__watch_list w WHERE … AND w.branch_id = $1 ORDER BY …',
 *   { outDir: 'release/branch-lists/watch-list', kind: 'watch-list', month: '2026-10', asOfDate: '2026-10-31', generatedAt });
 * // SQL, once: SELECT b.branch_id, coalesce(l.label, b.branch_id) AS label FROM core.dim_branches b LEFT JOIN core.dim_code_labels l … ORDER BY b.branch_id
 */
export async function writeBranchWorkbooks(
  wh: WarehouseHandle,
  spec: BranchListSpec,
  branchRowsSql: string,
  o: { outDir: string; kind: string; month: string; asOfDate: string; generatedAt: string },
): Promise<{ files: string[]; entries: number }> {
  const branches = await wh.all<{ branch_id: string; label: string }>(
    `SELECT b.branch_id, coalesce(l.label, b.branch_id) AS label FROM core.dim_branches b
     LEFT JOIN core.dim_code_labels l ON l.kind = 'branch' AND l.code = b.branch_id ORDER BY b.branch_id`,
  );
  const work = `${o.outDir}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const files: string[] = [];
  let entries = 0;
  for (const b of branches) {
    const rows = await wh.all<Record<string, string | number | null>>(branchRowsSql, [b.branch_id]);
    const name = branchListFileName(o.kind, b.branch_id, o.month);
    writeFileSync(join(work, name), await branchListXlsx(spec, { branchId: b.branch_id, branchLabel: b.label, rows }, o.asOfDate, o.generatedAt));
    files.push(join(o.outDir, name));
    entries += rows.length;
  }
  rmSync(o.outDir, { recursive: true, force: true });
  renameSync(work, o.outDir);
  return { files, entries };
}

/** How the lists show loan and customer ids (config `branchListIds`). */
export type BranchListIds = 'masked' | 'full';

/**
 * SQL of the bilingual label (core.dim_code_labels) of a code column, for the lists' rows.
 *
 * @example
 * codeLabelSql('product', 'w.product_id'); // "(SELECT l.label FROM core.dim_code_labels l WHERE l.kind = 'product' AND l.code = CAST(w.product_id AS VARCHAR))"
 */
export function codeLabelSql(kind: string, column: string): string {
  return `(SELECT l.label FROM core.dim_code_labels l WHERE l.kind = '${kind}' AND l.code = CAST(${column} AS VARCHAR))`;
}
