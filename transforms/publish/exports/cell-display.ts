import { group } from './digit-grouping.js';
import type { CellFormat, ColumnSpec } from './report-template.js';
import { formatKpiValue, type MetricDisplay } from '../../kpi/metric.js';
import { STATUS_LABELS } from '../../kpi/rag.js';

/**
 * A status (RAG) code as printed: the words of STATUS_LABELS (transforms/kpi/rag.ts), "中文 English".
 *
 * @example
 * statusText('green'); // '达标 On target'
 * statusText('too_few'); // '样本不足 Too few'
 */
export function statusText(code: string): string {
  const l = (STATUS_LABELS as Record<string, { zh: string; en: string }>)[code];
  return l ? `${l.zh} ${l.en}` : code;
}

/** Text of a change of a ratio in percentage points (value = change of the fraction). @example ppText(0.0012) // '+0.12 个百分点 pp' */
export function ppText(change: number): string {
  const p = change * 100;
  const t = Math.abs(p).toFixed(2);
  const sign = Number(t) === 0 ? '' : p > 0 ? '+' : '-';
  return `${sign}${t} 个百分点 pp`;
}

/** XLSX number format of percentage-point changes. */
export const PP_NUM_FMT = '+0.00" 个百分点 pp";-0.00" 个百分点 pp";0.00" 个百分点 pp"';
import { cappedText, effectiveFormat, isCapped, isNoData, kpiDisplayOf, noDataText, wanUnitsText, type Cell, type TableRow } from './report-table.js';

/**
 * How one cell is written in each output. One place, so the XLSX, the CSV and the PDF always
 * show the same number: XLSX gets a number plus a number format, CSV an exact plain decimal
 * (money: 2 decimals in 万元; ratios: the fraction, full precision), the PDF a grouped,
 * human-formatted text. A figure without data ({@link NoDataCell}) is `— [n]` in all three (its
 * footnote n gives the reason), never 0; a KPI figure shown capped (a capped cell, report-table.ts) is
 * `> 1,000% [n]` in all three (never the five-digit number). A KPI figure (`kpi` column) is shown as the metric
 * catalogue says (`display_format`, `display_decimals`), exactly as on the report site.
 */

/** Number formats of XLSX cells by effective format. */
export const XLSX_NUMBER_FORMATS: Record<string, string> = {
  int: '#,##0',
  wan: '#,##0.00',
  ratio: '0.00%',
  number: '#,##0.00',
};

/**
 * The XLSX number format of a KPI display: `0.00%` (percent, 2 decimals), `#,##0.000` (number, 3).
 *
 * @example
 * kpiNumFmt({ format: 'number', decimals: 3 }); // '#,##0.000'
 */
export function kpiNumFmt(d: MetricDisplay): string {
  const dec = d.decimals > 0 ? `.${'0'.repeat(d.decimals)}` : '';
  return d.format === 'percent' ? `0${dec}%` : `#,##0${dec}`;
}

/**
 * A cell for exceljs: the value and its number format (none for text).
 *
 * @example
 * xlsxCell(1160968n, 'wan', row); // { value: 11609.68, numFmt: '#,##0.00' }
 * xlsxCell({ noData: true, note: 1 }, 'ratio', row); // { value: '— [1]' }
 */
export function xlsxCell(cell: Cell, format: CellFormat, row: TableRow): { value: string | number | null; numFmt?: string } {
  if (cell === null || cell === undefined) return { value: null };
  if (isNoData(cell)) return { value: noDataText(cell) };
  if (isCapped(cell)) return { value: cappedText(cell) };
  if (format === 'rag' && typeof cell === 'string') return { value: statusText(cell) };
  if (typeof cell === 'string') return { value: cell };
  const f = effectiveFormat(format, row);
  if (f === 'pp') return { value: Math.round(Number(cell) * 1e8) / 1e6, numFmt: PP_NUM_FMT };
  const kpi = kpiDisplayOf(format, row);
  if (kpi) return { value: Number(cell), numFmt: kpiNumFmt(kpi) };
  if (f === 'wan') return { value: Number(cell) / 100, numFmt: XLSX_NUMBER_FORMATS.wan! };
  if (f === 'int' || f === 'ratio' || f === 'number') return { value: Number(cell), numFmt: XLSX_NUMBER_FORMATS[f]! };
  return { value: typeof cell === 'bigint' ? cell.toString() : cell };
}

/**
 * A cell as CSV text (before quoting): exact and machine-readable.
 *
 * @example
 * csvCell(1160968n, 'wan', row); // '11609.68'
 * csvCell(0.0091, 'ratio', row); // '0.0091'
 */
export function csvCell(cell: Cell, format: CellFormat, row: TableRow): string {
  if (cell === null || cell === undefined) return '';
  if (isNoData(cell)) return noDataText(cell);
  if (isCapped(cell)) return cappedText(cell);
  if (format === 'rag' && typeof cell === 'string') return statusText(cell);
  if (typeof cell === 'string') return cell;
  const f = effectiveFormat(format, row);
  if (f === 'wan') return wanUnitsText(BigInt(cell));
  if (f === 'pp') return String(Math.round(Number(cell) * 1e8) / 1e6);
  return String(cell);
}

/**
 * A cell as display text for the PDF.
 *
 * @example
 * displayCell(1160968n, 'wan', row); // '11,609.68'
 * displayCell(0.009108, 'ratio', row); // '0.91%'
 */
export function displayCell(cell: Cell, format: CellFormat, row: TableRow): string {
  if (cell === null || cell === undefined) return '';
  if (isNoData(cell)) return noDataText(cell);
  if (isCapped(cell)) return cappedText(cell);
  if (format === 'rag' && typeof cell === 'string') return statusText(cell);
  if (typeof cell === 'string') return cell;
  const f = effectiveFormat(format, row);
  if (f === 'pp') return ppText(Number(cell));
  const kpi = kpiDisplayOf(format, row);
  if (kpi) return formatKpiValue(Number(cell), kpi);
  if (f === 'wan') return group(wanUnitsText(BigInt(cell)));
  const n = Number(cell);
  if (f === 'int') return group(String(Math.round(n)));
  if (f === 'ratio') return `${(n * 100).toFixed(2)}%`;
  if (f === 'number') return group(n.toFixed(2));
  return String(cell);
}


const DEFAULT_WIDTHS: Record<string, number> = { text: 18, wan: 14, int: 10, ratio: 11, number: 13, month: 10, rag: 16, change: 20 };

/**
 * Width of a column in characters: the template's `width`, else a default by format. XLSX uses
 * it as the column width, the PDF as the column's share of the page width.
 *
 * @example
 * columnWidth({ field: 'x', header_zh: '余额', header_en: 'Balance', format: 'wan' }); // 14
 */
export function columnWidth(c: ColumnSpec): number {
  return c.width ?? DEFAULT_WIDTHS[c.format === 'by_row' || c.format === 'kpi' ? 'number' : c.format] ?? 14;
}
