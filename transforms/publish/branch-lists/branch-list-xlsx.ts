import ExcelJS from 'exceljs';
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
 *
 * @example
 * writeFileSync('watch-list-BJ01-2026-10.xlsx', await branchListXlsx(spec, list, '2026-10-31', '2026-11-01T02:30:00Z'));
 */
export async function branchListXlsx(spec: BranchListSpec, list: BranchList, asOfDate: string, generatedAt: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const at = new Date(generatedAt);
  wb.creator = XLSX_CREATOR;
  wb.lastModifiedBy = XLSX_CREATOR;
  wb.created = at;
  wb.modified = at;
  wb.title = `${spec.titleZh} ${spec.titleEn} ${list.branchId} ${asOfDate}`;
  const ws = wb.addWorksheet(spec.titleZh.slice(0, 28), { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.addRow([`${spec.titleZh} ${spec.titleEn}`]).font = { bold: true, size: 13 };
  ws.addRow([`${list.branchLabel} · 数据截止日 As of ${asOfDate}`]);
  for (const n of spec.notes) ws.addRow([n]).font = { italic: true, color: { argb: 'FF555555' } };
  const zh = ws.addRow(spec.columns.map((c) => c.zh));
  const en = ws.addRow(spec.columns.map((c) => c.en));
  for (const r of [zh, en]) {
    r.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
      cell.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
      cell.alignment = { wrapText: true, vertical: 'middle' };
    });
  }
  zh.font = { bold: true };
  en.font = { color: { argb: 'FF555555' } };
  const headerRow = en.number;
  ws.views = [{ state: 'frozen', ySplit: headerRow }];
  ws.pageSetup.printTitlesRow = `${zh.number}:${headerRow}`;
  spec.columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width ?? (c.kind === 'text' ? 18 : 14);
    if (c.kind === 'money') ws.getColumn(i + 1).numFmt = '#,##0.00';
    if (c.kind === 'int') ws.getColumn(i + 1).numFmt = '#,##0';
    if (c.kind === 'date') ws.getColumn(i + 1).numFmt = 'yyyy-mm-dd';
  });
  if (list.rows.length === 0) ws.addRow(['本期无记录 Nothing listed this period']);
  for (const row of list.rows) {
    ws.addRow(
      spec.columns.map((c) => {
        const v = row[c.key] ?? null;
        if (v === null) return null;
        if (c.kind === 'date') return new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
        if (c.kind === 'money' || c.kind === 'int') return Number(v);
        return String(v);
      }),
    );
  }
  const buf = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  return normalizeZip(buf, generatedAt);
}
