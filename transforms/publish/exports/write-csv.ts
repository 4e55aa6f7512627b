import { csvField, UTF8_BOM } from '../../lib/csv.js';
import { csvCell } from './cell-display.js';
import type { BuiltTable } from './report-table.js';

/**
 * Writes a built table as CSV: UTF-8 with BOM, CRLF line ends, one header row
 * `中文表头 / English header`, then the rows exactly as in the XLSX (section rows carry only
 * their labels; total rows are labelled 合计 Total). Numbers are plain decimals: money in 万元
 * with 2 decimals, ratios as fractions at full precision. Text cells get the formula-injection
 * guard of {@link csvField} (lib/csv.ts).
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
