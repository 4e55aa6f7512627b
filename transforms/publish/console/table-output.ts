import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';
import { chunkColumns, type ResultColumn, type ResultWriter } from './result-writer.js';
import { groupsThousands, groupThousands, isNumericType, valueText } from './value-format.js';
import { renderVertical } from './vertical-output.js';

/** Widest a cell is shown in the terminal table (longer text ends with …). */
export const MAX_CELL_WIDTH = 48;

/** Terminal width assumed when the output is not a terminal (a pipe, a file, a test). */
export const DEFAULT_TERMINAL_WIDTH = 120;

/** Longest text kept per cell while collecting (bounds memory; vertical mode shows up to the terminal width). */
const STORED_CELL_WIDTH = 1000;

/** How results are laid out: an aligned table, one field per line, or the table unless it is wider than the terminal. */
export type DisplayMode = 'table' | 'vertical' | 'auto';
export const DISPLAY_MODES: readonly DisplayMode[] = ['table', 'vertical', 'auto'];

/** Options of {@link renderResult}. */
export interface DisplayOptions {
  /** Default `auto`. */
  mode?: DisplayMode;
  /** Terminal columns (default {@link DEFAULT_TERMINAL_WIDTH}). */
  width?: number;
  /** Per-column cap of the table (default {@link MAX_CELL_WIDTH}). */
  maxCellWidth?: number;
}

/** A result as display text: column names, which columns are right-aligned, and the cells. */
export interface ResultGrid {
  names: string[];
  numeric: boolean[];
  rows: string[][];
}

/** The terminal table collector: a writer plus the collected grid once the rows are in. */
export interface TableCollector extends ResultWriter {
  readonly grid: ResultGrid;
  /** The collected rows laid out (no trailing summary). */
  render(display?: DisplayOptions): string;
  readonly rowCount: number;
}

/**
 * Collects result rows as display text: NULL shown as `NULL`, line breaks as `↵`, tabs as
 * spaces, numbers with thousands separators where {@link groupsThousands} says so (1,234,567.89;
 * not ids, codes or years). Bounded by the caller's row limit. Lay the rows out with
 * {@link renderResult} (or `render`). No types are kept: the terminal layouts show none, so a
 * type name never widens a column (`.schema NAME` and `DESCRIBE <query>` show them).
 *
 * @example
 * const t = tableCollector();
 * await executeQuery(session, 'select 1 as n', t, { maxRows: 1000 });
 * console.log(t.render({ mode: 'auto', width: 120 }));
 */
export function tableCollector(): TableCollector {
  const grid: ResultGrid = { names: [], numeric: [], rows: [] };
  let grouped: boolean[] = [];
  return {
    grid,
    get rowCount() {
      return grid.rows.length;
    },
    async begin(cols: readonly ResultColumn[]) {
      grid.names = cols.map((c) => c.name);
      grid.numeric = cols.map((c) => isNumericType(c.type));
      grouped = cols.map((c) => groupsThousands(c.name, c.type));
    },
    async rows(chunk, count) {
      const cols = chunkColumns(chunk, count);
      for (let r = 0; r < count; r++) {
        grid.rows.push(
          cols.map((col, c) => {
            const v = col[r];
            if (v === null || v === undefined) return 'NULL';
            const text = valueText(v);
            if (grouped[c]) return groupThousands(text);
            return truncateToWidth(text.replace(/\r?\n/g, '↵').replace(/\t/g, ' '), STORED_CELL_WIDTH);
          }),
        );
      }
    },
    async end() {},
    render(display) {
      return renderResult(grid, display).text;
    },
  };
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Cut longer cells with `…` (default: no cap). Headers are never cut. */
  maxCellWidth?: number;
}

function tableLayout(names: readonly string[], rows: readonly (readonly string[])[], maxCellWidth: number) {
  const cells = Number.isFinite(maxCellWidth) ? rows.map((r) => r.map((s) => truncateToWidth(s, maxCellWidth))) : rows;
  const widths = names.map((n, c) => {
    let w = displayWidth(n);
    for (const r of cells) w = Math.max(w, displayWidth(r[c] ?? ''));
    return w;
  });
  // ' ' + cells joined by ' │ ' (the rule line is as wide: each column + 2, joined by '┼').
  const width = widths.reduce((a, b) => a + b, 0) + 3 * widths.length - 1;
  return { cells, widths, width };
}

/**
 * Renders rows of display text as an aligned table: header, types line (left out when every
 * type is ''), rule, rows; `numeric` columns right-aligned. Each column is as wide as its header
 * or its widest shown value (Chinese characters count two columns); type names never widen a
 * column — a longer one is cut with `…`.
 *
 * @example
 * renderTable(['id', 'name'], ['varchar', 'varchar'], [['C001', '张**']], [false, false]);
 * //  id   │ name
 * //  var… │ var…
 * // ──────┼──────
 * //  C001 │ 张**
 */
export function renderTable(
  names: readonly string[],
  types: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[],
  options: TableOptions = {},
): string {
  const { cells, widths } = tableLayout(names, rows, options.maxCellWidth ?? Infinity);
  const line = (row: readonly string[], align: (c: number) => 'left' | 'right') =>
    ` ${row.map((s, c) => padToWidth(s, widths[c]!, align(c))).join(' │ ')}`.trimEnd();
  const out = [
    line(names, () => 'left'),
    ...(types.some((t) => t !== '') ? [line(types.map((t, c) => truncateToWidth(t, widths[c]!)), () => 'left')] : []),
    widths.map((w) => '─'.repeat(w + 2)).join('┼'),
    ...cells.map((r) => line(r, (c) => (numeric[c] ? 'right' : 'left'))),
  ];
  return `${out.join('\n')}\n`;
}

/**
 * Terminal columns the table of {@link renderTable} takes.
 *
 * @example
 * tableWidth(['a', 'bb'], [['xyz', '1']]); // 9 (' xyz │ bb')
 */
export function tableWidth(names: readonly string[], rows: readonly (readonly string[])[], maxCellWidth: number = MAX_CELL_WIDTH): number {
  return tableLayout(names, rows, maxCellWidth).width;
}

/**
 * Which layout a result gets: `table` and `vertical` as asked; `auto` is the table unless it
 * is wider than the terminal, then vertical (a single column or no rows stay a table: one
 * field per line would not be narrower, and the header shows what was asked).
 *
 * @example
 * chooseLayout('auto', 230, 120, 39, 3); // 'vertical'
 * chooseLayout('auto', 40, 120, 3, 3); // 'table'
 */
export function chooseLayout(mode: DisplayMode, tableColumns: number, terminalColumns: number, columnCount: number, rowCount: number): 'table' | 'vertical' {
  if (mode !== 'auto') return mode;
  return columnCount > 1 && rowCount > 0 && tableColumns > terminalColumns ? 'vertical' : 'table';
}

/**
 * Lays out a collected result for the terminal: the table (column cap {@link MAX_CELL_WIDTH})
 * or, when asked or when the table would be wider than the terminal in `auto` mode, one field
 * per line ({@link renderVertical}).
 *
 * @example
 * const { text, layout } = renderResult(collector.grid, { mode: 'auto', width: process.stdout.columns ?? 120 });
 */
export function renderResult(grid: ResultGrid, display: DisplayOptions = {}): { text: string; layout: 'table' | 'vertical' } {
  const width = display.width && display.width > 0 ? display.width : DEFAULT_TERMINAL_WIDTH;
  const cap = display.maxCellWidth ?? MAX_CELL_WIDTH;
  const layout = chooseLayout(display.mode ?? 'auto', tableWidth(grid.names, grid.rows, cap), width, grid.names.length, grid.rows.length);
  if (layout === 'vertical') return { text: renderVertical(grid.names, grid.rows, width), layout };
  return { text: renderTable(grid.names, [], grid.rows, grid.numeric, { maxCellWidth: cap }), layout };
}
