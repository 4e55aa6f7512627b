/**
 * Terminal column widths: CJK ideographs, kana, Hangul and full-width forms take two
 * columns, combining marks none, so tables with Chinese names and branch names line up.
 */

const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function charWidth(cp: number): number {
  if (cp === 0 || cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/** Columns the text takes on a terminal. @example displayWidth('张伟') // 4 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/**
 * Cuts text to at most `max` columns, ending with `…` when cut.
 *
 * @example
 * truncateToWidth('杭州明远贸易有限公司', 9); // '杭州明远…'
 */
export function truncateToWidth(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Pads text to `width` columns. @example padToWidth('张', 4, 'left') // '张  ' */
export function padToWidth(s: string, width: number, align: 'left' | 'right'): string {
  const pad = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'left' ? s + pad : pad + s;
}
