/**
 * Benchmark step (called by scripts/bench.ts): post-loan monitoring on a built warehouse.
 *   npx tsx scripts/bench-monitoring.ts WAREHOUSE --part watch-list|backtest|lists
 * - watch-list: one night's watch-list: the signals and rule hits of the latest month
 *   (month-incremental, as the nightly rebuilds them), the watch-list and its summary;
 *   target under 10 s at 1M customers;
 * - backtest: the whole backtest over the loaded history (flag outcomes, catches, by month,
 *   summary); target under 60 s;
 * - lists: the per-branch watch-list workbooks of the latest month.
 * Prints the seconds of each model; peak memory is measured around the process by bench.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../transforms/lib/duckdb.js';
import { buildModels } from '../transforms/warehouse/build-models.js';
import { discoverModels } from '../transforms/warehouse/registry.js';
import { parseBusinessMonth, resolveRunInfo } from '../transforms/publish/exports/run-info.js';
import { writeWatchLists } from '../transforms/publish/branch-lists/watch-list-files.js';

const warehouse = process.argv[2] ?? 'data/warehouse.duckdb';
const part = process.argv[process.argv.indexOf('--part') + 1];
const PARTS: Record<string, readonly string[]> = {
  'watch-list': ['fct_loan_month_signals', 'mart_monitoring__rule_hits', 'mart_monitoring__watch_list', 'mart_monitoring__watch_list_summary'],
  backtest: ['mart_monitoring__rule_flag_outcomes', 'mart_monitoring__rule_catches', 'mart_monitoring__rule_backtest', 'mart_monitoring__rule_backtest_summary'],
};
const wh = await openWarehouse(warehouse);
try {
  const [{ last }] = (await wh.all<{ last: string }>(`SELECT strftime(max(as_of_month), '%Y-%m-%d') AS last FROM core.dim_months`)) as [{ last: string }];
  const started = performance.now();
  if (part === 'lists') {
    const out = mkdtempSync(join(tmpdir(), 'cq-bench-lists-'));
    const r = await writeWatchLists(wh, parseBusinessMonth(last.slice(0, 7)), { outDir: join(out, 'watch-list'), generatedAt: (await resolveRunInfo(wh)).generatedAt, ids: 'masked' });
    rmSync(out, { recursive: true, force: true });
    console.log(`branch lists ${last.slice(0, 7)}: ${r.files.length} workbooks, ${r.entries.toLocaleString('en-US')} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else {
    const names = PARTS[part ?? ''];
    if (!names) throw new Error(`--part must be watch-list, backtest or lists, got ${part}`);
    const models = (await discoverModels()).filter((m) => names.includes(m.name));
    const r = await buildModels(wh, models, { runTests: false, ...(part === 'watch-list' ? { since: last } : {}) });
    const short = (t: string) => t.split('.')[1]!.replace(/^(fct_loan_month_|mart_monitoring__(rule_)?)/, '');
    const parts = r.built.map((b) => `${short(b.table)} ${b.seconds.toFixed(1)}${b.mode === 'incremental' ? ' incr' : ''}`);
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s ${part === 'watch-list' ? last : 'all months'}: ${parts.join(', ')}`);
  }
} finally {
  await wh.close();
}
