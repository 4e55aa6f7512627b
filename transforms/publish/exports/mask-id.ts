import { maskIdentifier } from '../../lib/identifier-masks.js';

/**
 * Masking of personal identifiers in the large-exposures list. By default an ID number
 * (居民身份证号 / 统一社会信用代码) keeps only its last 4 characters (fewer when short, see lib/identifier-masks.ts) and an individual's name
 * only its first character; `--unmasked` (recorded in the manifest) shows them in full.
 */

/**
 * Masks an ID number by the one rule of lib/identifier-masks.ts: last 4 characters of a value of
 * 15 or more, last 2 of 8 to 14, none below; every other character becomes `*` (length kept).
 *
 * @example
 * maskIdNumber('110101199003074514'); // '**************4514'
 */
export function maskIdNumber(id: string | null): string | null {
  return maskIdentifier('id_number', id);
}

/**
 * Masks a person's name to its first character (`张伟` → `张*`). Business names (not personal
 * data) are kept: pass `isPerson = false`.
 *
 * @example
 * maskName('欧阳测试甲', true); // '欧****'
 * maskName('杭州明远贸易有限公司', false); // unchanged
 */
export function maskName(name: string | null, isPerson: boolean): string | null {
  if (name === null || !isPerson) return name;
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}
