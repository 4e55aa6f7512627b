import ExcelJS from 'exceljs';
import { REPORTING_CURRENCY, tenThousandUnit } from '../../ingest/contract/index.js';
import { columnWidth, xlsxCell } from './cell-display.js';
import { effectiveFormat, type BuiltReport, type BuiltTable, type PackageContext, type TableRow } from './report-table.js';
import type { CellFormat } from './report-template.js';
import { normalizeZip } from './zip-file.js';

/** Worksheet row of the Chinese column headers. */
export const XLSX_HEADER_ROW_ZH = 4;
/** Worksheet row of the English column headers. */
export const XLSX_HEADER_ROW_EN = 5;
/** First worksheet row of table data (rows above: titles, as-of line, headers; frozen). */
export const XLSX_FIRST_DATA_ROW = 6;

/** Creator / last-modified-by recorded in the workbook properties. */
export const XLSX_CREATOR = 'credit-quality-analytics export';

const HEADER_FILL = 'FFDCE6F1';
const SECTION_FILL = 'FFF2F2F2';
const RAG_FILLS: Record<string, string> = { green: 'FFC6EFCE', amber: 'FFFFEB9C', red: 'FFFFC7CE', no_data: 'FFE7E9EC', too_few: 'FFE7E9EC' };
const THIN = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };

/** A worksheet name from a table title: ≤ 31 characters, none of []:*?/\ . @example sheetName('指标定义', new Set()) // '指标定义' */
export function sheetName(title: string, taken: Set<string>): string {
  const base = title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 28).trim() || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 27)} ${i}`;
  taken.add(name);
  return name;
}

/**
 * Writes one report as an XLSX workbook (one worksheet per table): bilingual title and as-of
 * line, Chinese and English header rows (styled, frozen together with the label columns), number
 * formats per column (万元 `#,##0.00`, counts `#,##0`, ratios `0.00%`), bold total rows, RAG
 * colours (no_data grey), A4 print setup repeating the headers; the template's notes and the
 * footnotes of no-data cells (`— [n]`) under the table. Byte-reproducible: workbook created / modified
 * are the package's generated-at, and the ZIP is rewritten with that timestamp on every entry
 * (zip-file.ts).
 *
 * @example
 * writeFileSync('five-category.xlsx', await reportXlsx(report, ctx));
 */
export async function reportXlsx(report: BuiltReport, ctx: PackageContext): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const at = new Date(ctx.generatedAt);
  wb.creator = XLSX_CREATOR;
  wb.lastModifiedBy = XLSX_CREATOR;
  wb.created = at;
  wb.modified = at;
  wb.title = `${report.template.title_zh} ${report.template.title_en} ${ctx.month}`;
  wb.subject = `${ctx.asOfDate}`;
  const taken = new Set<string>();
  for (const table of report.tables) addSheet(wb, report, table, ctx, sheetName(table.spec.title_zh, taken));
  const buf = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  return normalizeZip(buf, ctx.generatedAt);
}

function addSheet(wb: ExcelJS.Workbook, report: BuiltReport, table: BuiltTable, ctx: PackageContext, name: string): void {
  const t = report.template;
  const spec = table.spec;
  const cols = spec.columns;
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: spec.freeze_columns, ySplit: XLSX_HEADER_ROW_EN, activeCell: `A${XLSX_FIRST_DATA_ROW}` }],
    pageSetup: {
      paperSize: 9,
      orientation: t.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${XLSX_HEADER_ROW_ZH}:${XLSX_HEADER_ROW_EN}`,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      oddHeader: `&L${escapeHf(institutionLine(ctx))}&C${escapeHf(t.title_zh)}${ctx.submission?.draft ? ' 草稿 DRAFT' : ''}&R${escapeHf(periodText(ctx))}`,
      oddFooter: `&L${escapeHf(signOffText(ctx))}&R&P / &N`,
    },
  });
  ws.columns = cols.map((c) => ({ width: columnWidth(c) }));
  const last = cols.length;
  const titleZh = report.tables.length > 1 ? `${t.title_zh} — ${spec.title_zh}` : t.title_zh;
  const titleEn = report.tables.length > 1 ? `${t.title_en} — ${spec.title_en}` : t.title_en;
  const r1 = ws.getRow(1);
  r1.getCell(1).value = ctx.submission?.draft ? `${titleZh}（草稿 DRAFT）` : titleZh;
  r1.getCell(1).font = { bold: true, size: 14 };
  const r2 = ws.getRow(2);
  r2.getCell(1).value = titleEn;
  r2.getCell(1).font = { bold: true, size: 11, color: { argb: 'FF595959' } };
  const info = [
    `填报机构 Reporting institution: ${institutionLine(ctx)}`,
    `报告期 Period: ${periodText(ctx)}`,
    units(cols.map((c) => c.format), ctx),
    t.form_ref ? `参照 Form: ${t.form_ref}` : '',
  ].filter(Boolean);
  ws.getRow(3).getCell(1).value = info.join('  |  ');
  ws.getRow(3).getCell(1).font = { size: 9, color: { argb: 'FF595959' } };
  if (last > 1) {
    ws.mergeCells(1, 1, 1, last);
    ws.mergeCells(2, 1, 2, last);
    ws.mergeCells(3, 1, 3, last);
  }
  const hz = ws.getRow(XLSX_HEADER_ROW_ZH);
  const he = ws.getRow(XLSX_HEADER_ROW_EN);
  cols.forEach((c, i) => {
    hz.getCell(i + 1).value = c.header_zh;
    he.getCell(i + 1).value = c.header_en;
    for (const cell of [hz.getCell(i + 1), he.getCell(i + 1)]) {
      cell.font = { bold: true, size: cell === hz.getCell(i + 1) ? 10 : 9 };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
    }
  });
  hz.height = 30;
  he.height = 30;
  table.rows.forEach((row, ri) => {
    const xr = ws.getRow(XLSX_FIRST_DATA_ROW + ri);
    cols.forEach((c, ci) => {
      const cell = xr.getCell(ci + 1);
      const { value, numFmt } = xlsxCell(row.cells[c.field] ?? null, c.format, row);
      cell.value = value;
      if (numFmt) cell.numFmt = numFmt;
      styleCell(cell, row, c.format, row.cells[c.field] ?? null);
    });
  });
  // The template's notes, then the footnotes of the no-data cells (`— [n]`).
  const notes = [...(spec.notes_zh ?? []), ...(spec.notes_en ?? []), ...(table.footnotes ?? [])];
  notes.forEach((n, i) => {
    const cell = ws.getRow(XLSX_FIRST_DATA_ROW + table.rows.length + 1 + i).getCell(1);
    cell.value = n;
    cell.font = { size: 9, italic: true, color: { argb: 'FF595959' } };
  });
  // The sign-off block: 填表人 / 复核人 / 负责人 / 报送日期.
  const signRow = ws.getRow(XLSX_FIRST_DATA_ROW + table.rows.length + 2 + notes.length);
  signRow.getCell(1).value = signOffText(ctx);
  signRow.getCell(1).font = { size: 10, bold: true };
}

/** "示例银行股份有限公司 Example Bank Co., Ltd.（机构代码 Code B0000H000000001）". @example institutionLine(ctx) */
export function institutionLine(ctx: PackageContext): string {
  const i = ctx.submission?.institution;
  return i ? `${i.nameZh} ${i.nameEn}（机构代码 Code ${i.code}）` : '';
}

/** 报告期: "2026年10月 (2026-10-31)". @example periodText(ctx) // '2026年10月（截至 2026-10-31）' */
export function periodText(ctx: PackageContext): string {
  return `${ctx.month.slice(0, 4)}年${Number(ctx.month.slice(5, 7))}月（截至 As of ${ctx.asOfDate}）`;
}

/** The sign-off line of every form. @example signOffText(ctx) // '填表人 Prepared by: 张三    复核人 Reviewed by: ____ …' */
export function signOffText(ctx: PackageContext): string {
  const s = ctx.submission;
  const name = (v: string | undefined) => (v ? v : '________');
  return [
    `填表人 Prepared by: ${name(s?.preparedBy)}`,
    `复核人 Reviewed by: ${name(s?.reviewedBy)}`,
    `负责人 Approved by: ${name(s?.approvedBy)}`,
    `报送日期 Submitted on: ${s?.submittedOn ?? ''}`,
    ...(s?.draft ? ['草稿 DRAFT（未指定填表人 no preparer named）'] : []),
  ].join('    ');
}

function styleCell(cell: ExcelJS.Cell, row: TableRow, format: CellFormat, raw: unknown): void {
  cell.border = { top: row.kind === 'total' ? { style: 'medium', color: { argb: 'FF404040' } } : THIN, bottom: THIN, left: THIN, right: THIN };
  if (row.kind === 'section') {
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: SECTION_FILL } };
  } else if (row.kind === 'total') {
    cell.font = { bold: true };
  }
  if (format === 'rag' && typeof raw === 'string' && RAG_FILLS[raw]) {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: RAG_FILLS[raw]! } };
  }
  if (format === 'rag') cell.alignment = { horizontal: 'center', wrapText: false };
  const f = effectiveFormat(format, row);
  if (f === 'text' || f === 'month') cell.alignment = { ...(cell.alignment ?? {}), vertical: 'top', wrapText: true };
}

export function units(formats: readonly CellFormat[], ctx: PackageContext): string {
  const parts: string[] = [];
  // The unit comes from the warehouse's reporting currency (amount-currency.ts): 万元 (CNY 10,000).
  const unit = ctx.amounts?.unit ?? tenThousandUnit(REPORTING_CURRENCY);
  parts.push(`单位 Unit: ${unit.zh} (${unit.en})`);
  if (formats.includes('ratio') || formats.includes('by_row') || formats.includes('kpi')) parts.push('比率 %');
  if (formats.includes('change')) parts.push('比率变动 个百分点 pp');
  if (formats.includes('int')) parts.push('笔数 笔 (loans)');
  return parts.join('; ');
}

function escapeHf(text: string): string {
  return text.replaceAll('&', '&&');
}
