/**
 * What a branch site contains: its pages and, for each source query of the site, which rows. This
 * file is the one home of that decision; a source query not listed here reaches a branch site
 * empty (same columns, no rows), so a new source is confidential until someone decides otherwise.
 */
import { quoteLiteral } from '../../../lib/duckdb.js';

/**
 * Routes (Evidence route ids) a branch site contains. `/` is not one of them: a branch site's home
 * sends the browser to the branch's own page (`/branches/<id>/`), its KPI board.
 */
export const BRANCH_SITE_ROUTES = ['/branches/[branch]', '/glossary'] as const;

/** How a source query's rows are cut for a branch site. */
export type SourceScope =
  /** `slice = 'branch' and slice_value = <branch>`; with `book`, also the whole-bank rows (`slice = 'all'`) when book totals are shared. */
  | { readonly by: 'slice'; readonly book: boolean }
  /** `branch_id = <branch>` (row-level lists: loans masked, one branch's rows). */
  | { readonly by: 'branch_id' }
  /** Code labels: every kind but `branch`, and the branch's own label (no other branch's name). */
  | { readonly by: 'code_labels' }
  /** Reference rows without figures (metric catalogue, chart specs): all rows. */
  | { readonly by: 'reference' }
  /** The one-row `audience` source: replaced by the branch's row. */
  | { readonly by: 'audience' };

/**
 * The sources a branch site gets rows of. Whole-bank commentary is never shared: its sentences name
 * the branches that moved the bank's figures.
 */
export const BRANCH_SITE_SOURCES: Readonly<Record<string, SourceScope>> = {
  kpi_values: { by: 'slice', book: true },
  five_category: { by: 'slice', book: true },
  roll_rates: { by: 'slice', book: true },
  commentary: { by: 'slice', book: false },
  new_npl_list: { by: 'branch_id' },
  code_labels: { by: 'code_labels' },
  metric_catalog: { by: 'reference' },
  metric_charts: { by: 'reference' },
  audience: { by: 'audience' },
};

/** Which book-level figures branch sites show next to their own (config `siteAudiences.shareWithBranches`). */
export type BookShare = 'book' | 'none';

/**
 * The WHERE condition that keeps a branch's rows of a source (DuckDB 0.9 SQL); `false` for a source
 * not in {@link BRANCH_SITE_SOURCES}. `audience` sources are rewritten, not filtered (`true`).
 *
 * @example
 * branchRowsWhere('kpi_values', 'BJ01', 'book');
 * // "(slice = 'branch' and slice_value = 'BJ01') or slice = 'all'"
 * branchRowsWhere('dq_loads', 'BJ01', 'book'); // 'false'
 */
export function branchRowsWhere(source: string, branchId: string, share: BookShare): string {
  const scope = Object.hasOwn(BRANCH_SITE_SOURCES, source) ? BRANCH_SITE_SOURCES[source] : undefined;
  const b = quoteLiteral(branchId);
  switch (scope?.by) {
    case 'slice':
      return `(slice = 'branch' and slice_value = ${b})${scope.book && share === 'book' ? ` or slice = 'all'` : ''}`;
    case 'branch_id':
      return `branch_id = ${b}`;
    case 'code_labels':
      return `kind <> 'branch' or code = ${b}`;
    case 'reference':
    case 'audience':
      return 'true';
    default:
      return 'false';
  }
}
