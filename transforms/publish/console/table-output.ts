import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';
import { chunkColumns, type ResultColumn, type ResultWriter } from './result-writer.js';
import { isNumericType, valueText } from './value-format.js';

/** Widest a cell is shown in the terminal table (longer text ends with …). */
export const MAX_CELL_WIDTH = 48;

/** The terminal table collector: a writer plus `render()` once the rows are in. */
export interface TableCollector extends ResultWriter {
  /** Columns, types line and the collected rows as aligned text (no trailing summary). */
  render(): string;
  readonly rowCount: number;
}

/**
 * Collects result rows as display text and renders an aligned table: header, DuckDB types,
 * rule, rows; numbers right-aligned, NULL shown as `NULL`, line breaks as `↵`, wide text cut
 * with `…`; Chinese characters count two columns. Bounded by the caller's row limit.
 *
 * @example
 * const t = tableCollector();
 * await executeQuery(session, 'select 1 as n', t, { maxRows: 1000 });
 * console.log(t.render());
 */
export function tableCollector(maxCellWidth: number = MAX_CELL_WIDTH): TableCollector {
  let columns: readonly ResultColumn[] = [];
  let numeric: boolean[] = [];
  const rows: string[][] = [];
  return {
    get rowCount() {
      return rows.length;
    },
    async begin(cols) {
      columns = cols;
      numeric = cols.map((c) => isNumericType(c.type));
    },
    async rows(chunk, count) {
      const cols = chunkColumns(chunk, count);
      for (let r = 0; r < count; r++) {
        rows.push(
          cols.map((col) => {
            const v = col[r];
            if (v === null || v === undefined) return 'NULL';
            return truncateToWidth(valueText(v).replace(/\r?\n/g, '↵').replace(/\t/g, ' '), maxCellWidth);
          }),
        );
      }
    },
    async end() {},
    render() {
      return renderTable(
        columns.map((c) => c.name),
        columns.map((c) => c.type.toString().toLowerCase()),
        rows,
        numeric,
      );
    },
  };
}

/**
 * Renders rows of display text as an aligned table (the types line is left out when every
 * type is '').
 *
 * @example
 * renderTable(['id', 'name'], ['varchar', 'varchar'], [['C001', '张**']], [false, false]);
 */
export function renderTable(names: readonly string[], types: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = names.map((n, c) => Math.max(displayWidth(n), displayWidth(types[c] ?? ''), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const line = (cells: readonly string[], align: (c: number) => 'left' | 'right') =>
    ` ${cells.map((s, c) => padToWidth(s, widths[c]!, align(c))).join(' │ ')}`.trimEnd();
  const out = [
    line(names, () => 'left'),
    ...(types.some((t) => t !== '') ? [line(types, () => 'left')] : []),
    widths.map((w) => '─'.repeat(w + 2)).join('┼'),
    ...rows.map((r) => line(r, (c) => (numeric[c] ? 'right' : 'left'))),
  ];
  return `${out.join('\n')}\n`;
}
