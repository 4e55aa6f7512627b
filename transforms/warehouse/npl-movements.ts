/**
 * The lines of the NPL movement waterfall (不良贷款变动, "why NPL moved"), in display order: one
 * home for the codes of `marts.mart_risk__npl_movement_loans` / `marts.mart_risk__npl_movements`
 * (their `movement`, `movement_order`, `sign`, `line_type`, `parent_movement`) and for the labels
 * in `core.dim_code_labels` (kind 'npl_movement', transforms/warehouse/code-labels.ts).
 *
 * Bars (`flow`) add (+1) to or take (−1) from the NPL balance; `stock` lines are the opening and
 * closing balances; `memo` lines detail a bar (`parent`) or stand beside the waterfall (cash
 * collected) and do not enter the sum: opening + Σ sign × balance = closing.
 */

/** One line of the waterfall. */
export interface NplMovementLine {
  readonly code: string;
  readonly lineType: 'stock' | 'flow' | 'memo';
  /** +1 adds to the NPL balance, −1 reduces it, 0 for stocks and memo lines. */
  readonly sign: 1 | 0 | -1;
  /** The bar a memo line details (NULL for bars, stocks and cash collected). */
  readonly parent?: string;
}

/** The lines in display order (movement_order = position, 1-based). */
export const NPL_MOVEMENT_LINES = [
  { code: 'opening', lineType: 'stock', sign: 0 },
  { code: 'new_npl', lineType: 'flow', sign: 1 },
  { code: 'new_npl_from_normal', lineType: 'memo', sign: 0, parent: 'new_npl' },
  { code: 'new_npl_from_special_mention', lineType: 'memo', sign: 0, parent: 'new_npl' },
  { code: 'new_npl_not_on_book', lineType: 'memo', sign: 0, parent: 'new_npl' },
  { code: 'cured', lineType: 'flow', sign: -1 },
  { code: 'repaid', lineType: 'flow', sign: -1 },
  { code: 'repaid_settled', lineType: 'memo', sign: 0, parent: 'repaid' },
  { code: 'repaid_paydown', lineType: 'memo', sign: 0, parent: 'repaid' },
  { code: 'written_off', lineType: 'flow', sign: -1 },
  { code: 'transferred', lineType: 'flow', sign: -1 },
  { code: 'exited_unreported', lineType: 'flow', sign: -1 },
  { code: 'moved_in', lineType: 'flow', sign: 1 },
  { code: 'moved_out', lineType: 'flow', sign: -1 },
  { code: 'closing', lineType: 'stock', sign: 0 },
  { code: 'cash_collected', lineType: 'memo', sign: 0 },
] as const satisfies readonly NplMovementLine[];

/** A movement code. */
export type NplMovement = (typeof NPL_MOVEMENT_LINES)[number]['code'];

/** The movement codes in display order. */
export const NPL_MOVEMENTS: readonly NplMovement[] = NPL_MOVEMENT_LINES.map((l) => l.code);

/**
 * SQL `CASE` mapping a movement column to one attribute of its line.
 *
 * @example
 * nplMovementCaseSql('m.movement', 'sign');
 * // "CASE m.movement WHEN 'opening' THEN 0 WHEN 'new_npl' THEN 1 … END"
 */
export function nplMovementCaseSql(column: string, attribute: 'order' | 'sign' | 'lineType' | 'parent'): string {
  const value = (l: NplMovementLine, i: number): string => {
    if (attribute === 'order') return String(i + 1);
    if (attribute === 'sign') return String(l.sign);
    if (attribute === 'lineType') return `'${l.lineType}'`;
    return l.parent ? `'${l.parent}'` : 'NULL';
  };
  return `CASE ${column} ${(NPL_MOVEMENT_LINES as readonly NplMovementLine[]).map((l, i) => `WHEN '${l.code}' THEN ${value(l, i)}`).join(' ')} END`;
}
