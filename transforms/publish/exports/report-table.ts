import type { MetricDisplay } from '../../kpi/metric.js';
import type { AmountCurrency } from './amount-currency.js';
import type { PublishedFigures } from './published-figures.js';
import type { CellFormat, ReportTemplate, RowFormat, TableSpec } from './report-template.js';

/**
 * A figure the warehouse could not measure (a KPI row with status `no_data`, or an amount whose
 * input was never delivered): written "—" with the number of its footnote, `— [1]`, never a 0.
 * The footnote (the table's `footnotes`) gives the reason in Chinese and English.
 */
export interface NoDataCell {
  readonly noData: true;
  /** 1-based footnote number in the table's `footnotes`. */
  readonly note: number;
}

/**
 * A KPI figure shown capped (display only): a value above the KPI's display cap (provision coverage
 * 12,712.74 % → `> 1,000%`) or a change beyond its change cap (`> +100.00 个百分点 pp`). Every
 * output writes `text [n]`, footnote n says it is capped; `value` keeps the real number, which is
 * what validation rules and sums read (never the text).
 */
export interface CappedCell {
  readonly capped: true;
  /** The real figure (a fraction for a percent KPI). */
  readonly value: number;
  /** What is printed instead (`> 1,000%`, `> +100.00 个百分点 pp`). */
  readonly text: string;
  /** 1-based footnote number in the table's `footnotes`. */
  readonly note: number;
}

/**
 * A cell value as a builder supplies it. Money (`wan` columns) is a bigint count of 0.01 万元
 * (CNY 100) already rounded so totals add up; counts are numbers or bigints; ratios are numbers;
 * {@link NoDataCell} for a figure without data; {@link CappedCell} for a KPI figure shown capped.
 */
export type Cell = string | number | bigint | null | NoDataCell | CappedCell;

/** The dash written for a figure without data. */
export const NO_DATA_DASH = '—';

/** Is this cell a figure without data? @example isNoData({ noData: true, note: 1 }) // true */
export function isNoData(cell: Cell | undefined): cell is NoDataCell {
  return typeof cell === 'object' && cell !== null && (cell as NoDataCell).noData === true;
}

/** Is this cell a KPI figure shown capped? @example isCapped({ capped: true, value: 127.1274, text: '> 1,000%', note: 1 }) // true */
export function isCapped(cell: Cell | undefined): cell is CappedCell {
  return typeof cell === 'object' && cell !== null && (cell as CappedCell).capped === true;
}

/** The text of a capped cell in every output. @example cappedText({ capped: true, value: 127.1274, text: '> 1,000%', note: 1 }) // '> 1,000% [1]' */
export function cappedText(cell: CappedCell): string {
  return `${cell.text} [${cell.note}]`;
}

/** The number behind a figure cell: a capped cell's real value, a number / bigint as is; undefined otherwise. @example cellNumber({ capped: true, value: 2, text: '> 1,000%', note: 1 }) // 2 */
export function cellNumber(cell: Cell | undefined): number | undefined {
  if (isCapped(cell)) return cell.value;
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  return undefined;
}

/** The footnote numbers a row's cells use (no-data and capped cells), in order of first use. @example notesOf({ a: { noData: true, note: 2 } }) // [2] */
export function notesOf(cells: Record<string, Cell>): number[] {
  return [...new Set(Object.values(cells).flatMap((c) => (isNoData(c) || isCapped(c) ? [c.note] : [])))];
}

/** The text of a no-data cell in every output. @example noDataText({ noData: true, note: 2 }) // '— [2]' */
export function noDataText(cell: NoDataCell): string {
  return `${NO_DATA_DASH} [${cell.note}]`;
}

/**
 * The footnotes of one table: each distinct reason once, numbered in order of first use.
 *
 * @example
 * const notes = new Footnotes();
 * notes.cell('输入数据截至本月从未交付：风险预警（warnings）', 'Input never delivered up to this month: warnings'); // { noData: true, note: 1 }
 * notes.list(); // ['[1] 无数据 No data — 输入数据截至本月从未交付：风险预警（warnings） / Input never delivered up to this month: warnings']
 */
export class Footnotes {
  private readonly texts: string[] = [];

  /** A no-data cell whose footnote gives this reason (zh, en). */
  cell(reasonZh: string, reasonEn: string): NoDataCell {
    return { noData: true, note: this.add(`无数据 No data — ${reasonZh} / ${reasonEn}`) };
  }

  /**
   * A too-few cell (`— [n]`, never the value) whose footnote gives the sample size against its
   * minimum: `[n] 样本不足 Too few — 可评估评分 n = 12 < 30 / evaluable scores n = 12 < 30`.
   */
  tooFew(textZh: string, textEn: string): NoDataCell {
    return { noData: true, note: this.add(`样本不足 Too few — ${textZh} / ${textEn}`) };
  }

  /** A capped cell (`> 1,000% [n]`) whose footnote says why (zh, en); `value` keeps the real figure. */
  capped(value: number, text: string, whyZh: string, whyEn: string): CappedCell {
    return { capped: true, value, text, note: this.add(`封顶显示 Capped — ${whyZh} / ${whyEn}`) };
  }

  private add(text: string): number {
    let i = this.texts.indexOf(text);
    if (i < 0) i = this.texts.push(text) - 1;
    return i + 1;
  }

  /** The footnote text of a cell's note number, `[n] …`. */
  text(note: number): string {
    return `[${note}] ${this.texts[note - 1] ?? ''}`;
  }

  /** Every footnote, `[n] 无数据 No data — <reason zh> / <reason en>` (or 样本不足 Too few, 封顶显示 Capped). */
  list(): string[] {
    return this.texts.map((_, i) => this.text(i + 1));
  }
}

/** Row kinds: data rows, section headings (label only) and total rows (bold, summed). */
export type RowKind = 'data' | 'section' | 'total';

/** One row of a built table: field → value, plus what `by_row` / `kpi` columns need. */
export interface TableRow {
  kind: RowKind;
  /** Stable row id for validation rules and messages (e.g. `by_product.mortgage`, `total`, a line id). */
  id?: string;
  /** Field → key of the published figure the cell shows (published-figures.ts), for the same-figure check. */
  figures?: Record<string, string>;
  cells: Record<string, Cell>;
  /** Format of `by_row` columns in this row. */
  format?: RowFormat;
  /** KPI unit (`ratio`, `days`, `hours`, `score`) for `kpi` columns in this row. */
  unit?: string;
  /** How the row's KPI is shown (`kpi` columns): the catalogue's display format, as on the site. */
  display?: MetricDisplay;
}

/** A table filled by a builder. */
export interface BuiltTable {
  spec: TableSpec;
  rows: TableRow[];
  /** Footnotes of the no-data cells (`[n] 无数据 No data — reason`), written under the table in the XLSX and PDF. */
  footnotes?: string[];
}

/** A report filled by a builder, ready for the writers. */
export interface BuiltReport {
  template: ReportTemplate;
  tables: BuiltTable[];
}

/** What every writer needs to know about the package. */
export interface PackageContext {
  /** `YYYY-MM`. */
  month: string;
  /** Month-end date `YYYY-MM-DD`. */
  asOfDate: string;
  runId: string;
  /** ISO timestamp (UTC, seconds) taken from the run, never the wall clock. */
  generatedAt: string;
  unmasked: boolean;
  /** Currency and unit of the package's amounts (from the warehouse); absent = CNY, 万元. */
  amounts?: AmountCurrency;
  /** The package's published money figures: each rounded once, reused by every form. */
  figures: PublishedFigures;
  /** Who submits the package (printed on every form and in the manifest). */
  submission?: Submission;
}

/** The reporting institution and sign-off printed on every form. */
export interface Submission {
  institution: { nameZh: string; nameEn: string; code: string };
  preparedBy: string;
  reviewedBy: string;
  approvedBy: string;
  /** 报送日期 `YYYY-MM-DD`. */
  submittedOn: string;
  /** No preparer: every form says 草稿 DRAFT. */
  draft: boolean;
}

/** The effective format of a cell of `column` in `row` (resolves `by_row` and `kpi`). @example effectiveFormat('kpi', { kind: 'data', cells: {}, unit: 'ratio' }) // 'ratio' */
export function effectiveFormat(format: CellFormat, row: TableRow): Exclude<CellFormat, 'by_row' | 'kpi' | 'change'> | 'pp' {
  if (format === 'change') {
    // A change of a ratio is in percentage points; of money or counts, in the row's own unit.
    const f = effectiveFormat('by_row', row);
    return f === 'ratio' ? 'pp' : f;
  }
  if (format === 'by_row') {
    const f = row.format ?? 'text';
    return f === 'kpi' ? kpiFormat(row) : f;
  }
  if (format === 'kpi') return kpiFormat(row);
  return format;
}

function kpiFormat(row: TableRow): 'ratio' | 'number' {
  if (row.display) return row.display.format === 'percent' ? 'ratio' : 'number';
  return row.unit === 'ratio' ? 'ratio' : 'number';
}

/**
 * The KPI display of a cell: the row's catalogue display when the column (or, for `by_row`, the
 * row) is `kpi`, else undefined (the cell keeps its column's own format).
 *
 * @example
 * kpiDisplayOf('kpi', { kind: 'data', cells: {}, display: { format: 'number', decimals: 3 } }); // { format: 'number', decimals: 3 }
 */
export function kpiDisplayOf(format: CellFormat, row: TableRow): MetricDisplay | undefined {
  const isKpi = format === 'kpi' || ((format === 'by_row' || format === 'change') && row.format === 'kpi');
  return isKpi ? row.display : undefined;
}

/**
 * Money units (0.01 万元) as an exact decimal string with 2 decimals.
 *
 * @example
 * wanUnitsText(1160968n); // '11609.68'
 * wanUnitsText(-5n);      // '-0.05'
 */
export function wanUnitsText(units: bigint): string {
  const neg = units < 0n;
  const a = neg ? -units : units;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/**
 * Exact fen (0.01 CNY) → whole 0.01 万元 units, rounded half up. Use controlled rounding
 * (two-way-rounding.ts) instead wherever the numbers are summed in the table.
 *
 * @example
 * fenToWanUnits(1_234_567n); // 123n (¥12,345.67 → 1.23 万元)
 */
export function fenToWanUnits(fen: bigint): bigint {
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  const q = a / FEN_PER_WAN_UNIT;
  const r = (a % FEN_PER_WAN_UNIT) * 2n >= FEN_PER_WAN_UNIT ? q + 1n : q;
  return neg ? -r : r;
}

/** Fen per display unit: 0.01 万元 = ¥100 = 10,000 fen. */
export const FEN_PER_WAN_UNIT = 10_000n;

/** A DOUBLE amount in CNY (as KPI tables hold it) → exact fen. @example yuanToFen(1090228.18) // 109022818n */
export function yuanToFen(yuan: number): bigint {
  return BigInt(Math.round(yuan * 100));
}
