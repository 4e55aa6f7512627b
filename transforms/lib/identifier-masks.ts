/**
 * How many characters of an ID number or phone number stay visible when it is masked: the one
 * home of the rule, used by the analyst console (as SQL, sql/pii-masking.ts) and the export
 * packages (in TypeScript, export/mask-id.ts). Every other character becomes `*` (the length is
 * kept). Short values show less, so no length ever shows a value whole:
 *
 * | value (after trimming)          | ID number          | phone                   |
 * |---------------------------------|--------------------|-------------------------|
 * | 15 or more characters           | last 4             | first 3 + last 4        |
 * | 11 to 14                        | last 2             | first 3 + last 4        |
 * | 8 to 10                         | last 2             | last 2                  |
 * | 7 or fewer                      | nothing            | nothing                 |
 *
 * So `110101199003074514` → `**************4514`, `13800138000` → `138****8000`,
 * `5551234` → `*******`.
 */

/** Visible leading / trailing characters of a masked value of `length` characters. */
export interface VisibleParts {
  head: number;
  tail: number;
}

/** The kinds of identifier masked by these rules. */
export type IdentifierKind = 'id_number' | 'phone';

/** Rule rows, longest first: values of at least `min` characters show `head` + `tail`. */
const RULES: Readonly<Record<IdentifierKind, readonly { min: number; head: number; tail: number }[]>> = {
  id_number: [
    { min: 15, head: 0, tail: 4 },
    { min: 8, head: 0, tail: 2 },
  ],
  phone: [
    { min: 11, head: 3, tail: 4 },
    { min: 8, head: 0, tail: 2 },
  ],
};

/**
 * The visible parts of a value of `length` characters.
 *
 * @example
 * visibleParts('phone', 11); // { head: 3, tail: 4 }
 * visibleParts('phone', 7);  // { head: 0, tail: 0 }
 */
export function visibleParts(kind: IdentifierKind, length: number): VisibleParts {
  const rule = RULES[kind].find((r) => length >= r.min);
  return rule ? { head: rule.head, tail: rule.tail } : { head: 0, tail: 0 };
}

/**
 * Masks an identifier by {@link visibleParts} (trimmed first; NULL stays NULL).
 *
 * @example
 * maskIdentifier('phone', '13800138000'); // '138****8000'
 * maskIdentifier('id_number', '110101199003074514'); // '**************4514'
 */
export function maskIdentifier(kind: IdentifierKind, value: string | null): string | null {
  if (value === null) return null;
  const chars = [...value.trim()];
  const { head, tail } = visibleParts(kind, chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + (tail ? chars.slice(-tail).join('') : '');
}

/**
 * The same mask as a DuckDB SQL expression over the (already quoted) column `column`.
 *
 * @example
 * maskIdentifierSql('phone', '"phone"');
 * // CASE WHEN length(trim("phone")) >= 11 THEN left(trim("phone"), 3) || repeat('*', length(trim("phone")) - 7) || right(trim("phone"), 4)
 * //      WHEN length(trim("phone")) >= 8 THEN repeat('*', length(trim("phone")) - 2) || right(trim("phone"), 2)
 * //      ELSE repeat('*', length(trim("phone"))) END
 */
export function maskIdentifierSql(kind: IdentifierKind, column: string): string {
  const v = `trim(${column})`;
  const n = `length(${v})`;
  const part = (head: number, tail: number) =>
    [head ? `left(${v}, ${head})` : '', `repeat('*', ${n}${head + tail ? ` - ${head + tail}` : ''})`, tail ? `right(${v}, ${tail})` : ''].filter(Boolean).join(' || ');
  const whens = RULES[kind].map((r) => `WHEN ${n} >= ${r.min} THEN ${part(r.head, r.tail)}`).join(' ');
  return `CASE ${whens} ELSE ${part(0, 0)} END`;
}
