import { join } from 'node:path';
import { openWarehouse } from '../../lib/duckdb.js';
import { CqError } from '../../lib/errors.js';
import { parseBusinessMonth, relationExists, resolveRunInfo } from '../exports/run-info.js';
import { writeWatchLists, type BranchListIds } from './watch-list-files.js';

/**
 * The night's per-branch lists for the release (`<release>/branch-lists/`): `watch-list/`, one
 * workbook per branch of the watch-list of the night's latest month. Ids as configured
 * (`branchListIds`, masked by default); no names or ID numbers. Deterministic for a warehouse:
 * generated-at is the run's (resolveRunInfo).
 *
 * @example
 * await nightlyBranchLists({ warehouse: 'releases/R1.partial/warehouse.duckdb', outDir: 'releases/R1.partial/branch-lists', dates: ['2026-10-31'], ids: 'masked' });
 * // { detail: 'watch-list: 20 branch files, 1,234 entries (2026-10)' }
 */
export async function nightlyBranchLists(o: { warehouse: string; outDir: string; runId?: string; dates: readonly string[]; ids: BranchListIds }): Promise<{ detail: string }> {
  const month = [...o.dates].sort().at(-1)?.slice(0, 7);
  if (!month) throw new CqError('EXPORT_FAILED', 'the night loaded no business date, so there is no month for the branch lists.');
  const wh = await openWarehouse(o.warehouse, { readOnly: true });
  try {
    if (!(await relationExists(wh, 'marts', 'mart_monitoring__watch_list'))) return { detail: 'no watch-list in this warehouse (build it first)' };
    const run = await resolveRunInfo(wh, o.runId ? { runId: o.runId } : {});
    const w = await writeWatchLists(wh, parseBusinessMonth(month), { outDir: join(o.outDir, 'watch-list'), generatedAt: run.generatedAt, ids: o.ids });
    return { detail: `watch-list: ${w.files.length} branch files, ${w.entries.toLocaleString('en-US')} entries (${month}${o.ids === 'full' ? ', ids in full' : ''})` };
  } finally {
    await wh.close();
  }
}
