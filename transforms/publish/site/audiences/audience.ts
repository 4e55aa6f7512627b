/**
 * Who a site is for. The head office sees the whole book (the site Evidence builds); each branch of
 * the branch reference data (`core.dim_branches` → the site's `code_labels` rows of kind `branch`)
 * gets a copy holding only its own rows (audience-sites.ts). A new branch gets its site without code
 * changes.
 */

/** One audience of the report site. */
export interface Audience {
  /** Folder and id: `ho`, or the branch code (e.g. `BJ01`). */
  readonly id: string;
  readonly kind: 'ho' | 'branch';
  /** The branch code ('' for the head office). */
  readonly branchId: string;
  readonly labelZh: string;
  readonly labelEn: string;
}

/** The head office: the whole book, the site as Evidence builds it. */
export const HEAD_OFFICE: Audience = { id: 'ho', kind: 'ho', branchId: '', labelZh: '总行', labelEn: 'Head office' };

/** A branch code usable as a folder and URL segment (letters, digits, `_`, `-`). */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The branch audiences of the branch reference rows, in code order; a code that could not be a
 * folder name (or is `ho`) is reported back instead of being used.
 *
 * @example
 * branchAudiences([{ code: 'BJ01', label_zh: '北京分行', label_en: 'Beijing Branch' }]);
 * // { audiences: [{ id: 'BJ01', kind: 'branch', branchId: 'BJ01', labelZh: '北京分行', labelEn: 'Beijing Branch' }], unusable: [] }
 */
export function branchAudiences(rows: readonly { code: string; label_zh: string; label_en: string }[]): { audiences: Audience[]; unusable: string[] } {
  const audiences: Audience[] = [];
  const unusable: string[] = [];
  for (const r of [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    if (!SAFE_ID.test(r.code) || r.code.toLowerCase() === HEAD_OFFICE.id) unusable.push(r.code);
    else audiences.push({ id: r.code, kind: 'branch', branchId: r.code, labelZh: r.label_zh, labelEn: r.label_en });
  }
  return { audiences, unusable };
}
