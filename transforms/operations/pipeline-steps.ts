import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { exportMonths, type ExportOptions } from '../publish/exports/export-package.js';
import { buildWarehouse } from '../kpi/build-warehouse.js';

/**
 * Builds every model and KPI on the work warehouse and runs the data tests (a failing
 * error-severity test throws `DATA_TEST_FAILED` and fails the run). With `since`, month-
 * incremental models rebuild only months >= since (see `buildWarehouse`). `policyDir`: the lender
 * policy folder (default the shipped policy/); the files used are named with their SHA-256 in the
 * step detail (ledger, ops.run_steps) and recorded in ops.policy_files.
 *
 * @example
 * const { detail } = await buildModelsAndKpis(wh);
 */
export async function buildModelsAndKpis(wh: WarehouseHandle, options: { since?: string; policyDir?: string } = {}): Promise<{ detail: string }> {
  const result = await buildWarehouse(wh, {
    ...(options.since ? { since: options.since } : {}),
    ...(options.policyDir ? { policyDir: options.policyDir } : {}),
  });
  const warned = result.tests.filter((t) => t.status === 'warn').length;
  const policy = result.policy.files.map((f) => `${f.file} sha256 ${f.sha256.slice(0, 12)}`).join(', ');
  const retried = result.singleThreaded.length ? `; out of memory at first, built again with one thread: ${result.singleThreaded.join(', ')}` : '';
  return { detail: `${result.steps.length} models/KPIs, ${result.tests.length} data tests (${warned} warnings)${retried}; policy ${policy}` };
}

/**
 * Writes the regulator export package (`<outDir>/<YYYY-MM>/`) of the latest month the run loaded.
 * A catch-up night that loads several months packages only the latest: earlier months are
 * reproducible at any time with `npm run export -- --month YYYY-MM` (same bytes, docs/exports.md),
 * and packaging every missed month would make a catch-up night take minutes per month.
 * `options` (PDF optional or required, the command that adds a skipped PDF, reject limits) go
 * to `exportMonths`; a skipped PDF comes back in `pdfSkipped`.
 *
 * @example
 * await writeExports('releases/R1.partial/warehouse.duckdb', 'releases/R1.partial/exports', 'R1', ['2026-10-31']);
 */
export async function writeExports(
  warehouse: string,
  outDir: string,
  runId: string,
  dates: string[],
  options: Pick<ExportOptions, 'pdf' | 'pdfFix' | 'rejectLimits' | 'configFile' | 'institution' | 'signatories'> = {},
): Promise<{ detail: string; pdfSkipped?: { month: string; reason: string; fix: string }[] }> {
  const months = [...new Set(dates.map((d) => d.slice(0, 7)))].sort();
  const latest = months.slice(-1);
  const r = await exportMonths({ warehouse, outDir, runId, months: latest, ...options });
  const skipped = months.length - latest.length;
  return {
    detail: `${r.files} file(s) for ${latest.join(', ')}${r.pdfSkipped ? ' (PDF skipped: Chromium is not installed)' : ''}${skipped ? `; ${skipped} earlier month(s) of this catch-up not packaged (npm run export -- --month YYYY-MM)` : ''}`,
    ...(r.pdfSkipped ? { pdfSkipped: r.pdfSkipped } : {}),
  };
}
