import { csvCell } from './cell-display.js';
import type { BuiltTable } from './report-table.js';

/** UTF-8 byte order mark: Excel needs it to read Chinese text in a CSV correctly. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field, RFC 4180 quoted when needed. Text that Excel would run as a formula
 * (starting with = + - @ and not a number) is prefixed with an apostrophe.
 *
 * @example
 * csvField('a,b'); // '"a,b"'
 */
export function csvField(text: string, isText = false): string {
  let t = text;
  if (isText && /^[=+\-@\t\r]/.test(t) && !/^-?\d+(\.\d+)?$/.test(t)) t = `'${t}`;
  return /[",\r\n]|^\s|\s$/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

/**
 * Writes a built table as CSV: UTF-8 with BOM, CRLF line ends, one header row
 * `中文表头 / English header`, then the rows exactly as in the XLSX (section rows carry only
 * their labels; total rows are labelled 合计 Total). Numbers are plain decimals: money in 万元
 * with 2 decimals, ratios as fractions at full precision.
 *
 * @example
 * writeFileSync('five-category.csv', tableCsv(table));
 */
export function tableCsv(table: BuiltTable): Buffer {
  const cols = table.spec.columns;
  const lines = [cols.map((c) => csvField(`${c.header_zh} / ${c.header_en}`)).join(',')];
  for (const row of table.rows) {
    lines.push(
      cols
        .map((c) => {
          const v = row.cells[c.field] ?? null;
          return csvField(csvCell(v, c.format, row), typeof v === 'string');
        })
        .join(','),
    );
  }
  return Buffer.from(UTF8_BOM + lines.join('\r\n') + '\r\n', 'utf8');
}

/**
 * Parses CSV text written by {@link tableCsv} (BOM, quotes, CRLF) into rows of fields.
 *
 * @example
 * parseCsv('\uFEFFa,"b,c"\r\n'); // [['a', 'b,c']]
 */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
