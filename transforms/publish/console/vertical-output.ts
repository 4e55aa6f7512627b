import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';

/** Fewest columns a value gets in vertical mode, however narrow the terminal. */
export const MIN_VERTICAL_VALUE_WIDTH = 20;

/**
 * Renders rows of display text one field per line, a record at a time (like psql's `\x`): a
 * `-[ RECORD n ]---` rule (as wide as the widest field line, at most the terminal), then `name │ value` lines with the names padded to the widest. A
 * value is cut with `…` where it would run past `width` terminal columns (at least
 * {@link MIN_VERTICAL_VALUE_WIDTH} are kept for it). Values are left-aligned.
 *
 * @example
 * renderVertical(['loan_id', 'outstanding_principal'], [['L001', '949,000.00']], 80);
 * // -[ RECORD 1 ]-------------------------
 * //  loan_id               │ L001
 * //  outstanding_principal │ 949,000.00
 */
export function renderVertical(names: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  const nameWidth = Math.max(0, ...names.map(displayWidth));
  // A field line is ' ' + name + ' │ ' + value.
  const room = Math.max(MIN_VERTICAL_VALUE_WIDTH, width - nameWidth - 4);
  const records = rows.map((row) => names.map((_, c) => truncateToWidth(row[c] ?? '', room)));
  let valueWidth = 0;
  for (const cells of records) for (const v of cells) valueWidth = Math.max(valueWidth, displayWidth(v));
  const ruleWidth = Math.min(width, nameWidth + 4 + valueWidth);
  const out: string[] = [];
  records.forEach((cells, i) => {
    const head = `-[ RECORD ${i + 1} ]`;
    out.push(head + '-'.repeat(Math.max(0, ruleWidth - head.length)));
    names.forEach((n, c) => out.push(` ${padToWidth(n, nameWidth, 'left')} │ ${cells[c]}`.trimEnd()));
  });
  if (!rows.length) out.push('(no rows)');
  return `${out.join('\n')}\n`;
}
