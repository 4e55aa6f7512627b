import { join } from 'node:path';
import { openWarehouse } from '../../lib/duckdb.js';
import { CqError } from '../../lib/errors.js';
import { parseBusinessMonth, relationExists, resolveRunInfo } from '../exports/run-info.js';
import { writeCreditFileLists } from './credit-file-lists.js';
import type { BranchListIds } from './branch-list-xlsx.js';
import { writeWatchLists } from './watch-list-files.js';

/**
 * The night's per-branch lists for the release (`<release>/branch-lists/`): `watch-list/` (the
 * watch-list of the night's latest month) and `credit-files/` (its overdue and missing credit-file
 * elements), one workbook per branch each, one branch in memory at a time (DuckDB within `memoryLimit`,
 * the night's). Ids as configured
 * (`branchListIds`, masked by default); no names or ID numbers. Deterministic for a warehouse:
 * generated-at is the run's (resolveRunInfo).
 *
 * @example
 * await nightlyBranchLists({ warehouse: 'releases/R1.partial/warehouse.duckdb', outDir: 'releases/R1.partial/branch-lists', dates: ['2026-10-31'], ids: 'masked' });
 * // { detail: 'watch-list: 20 branch files, 1,234 entries; credit-files: 20 branch files, 567 entries (2026-10)' }
 */
export async function nightlyBranchLists(o: { warehouse: string; outDir: string; runId?: string; dates: readonly string[]; ids: BranchListIds; memoryLimit?: string }): Promise<{ detail: string }> {
  const month = [...o.dates].sort().at(-1)?.slice(0, 7);
  if (!month) throw new CqError('EXPORT_FAILED', 'the night loaded no business date, so there is no month for the branch lists.');
  const wh = await openWarehouse(o.warehouse, { readOnly: true, ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}) });
  try {
    const run = await resolveRunInfo(wh, o.runId ? { runId: o.runId } : {});
    const bm = parseBusinessMonth(month);
    const done: string[] = [];
    for (const [kind, mart, write] of [
      ['watch-list', 'mart_monitoring__watch_list', writeWatchLists],
      ['credit-files', 'mart_customer__overdue_credit_files', writeCreditFileLists],
    ] as const) {
      if (!(await relationExists(wh, 'marts', mart))) continue;
      const r = await write(wh, bm, { outDir: join(o.outDir, kind), generatedAt: run.generatedAt, ids: o.ids });
      done.push(`${kind}: ${r.files.length} branch files, ${r.entries.toLocaleString('en-US')} entries`);
    }
    return { detail: `${done.join('; ') || 'no list in this warehouse (build it first)'} (${month}${o.ids === 'full' ? ', ids in full' : ''})` };
  } finally {
    await wh.close();
  }
}
