import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WarehouseHandle } from '../lib/duckdb.js';
import { buildModels } from '../models/build-models.js';
import { discoverModels } from '../models/registry.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Builds every model and KPI on the work warehouse and runs the data tests (a failing
 * error-severity test throws `DATA_TEST_FAILED` and fails the run).
 *
 * @example
 * const { detail } = await buildModelsAndKpis(wh);
 */
export async function buildModelsAndKpis(wh: WarehouseHandle): Promise<{ detail: string }> {
  const engine = join(here, '..', 'metrics-engine', 'build-warehouse.ts');
  if (existsSync(engine)) {
    const mod = (await import(pathToFileURL(engine).href)) as {
      buildWarehouse: (wh: WarehouseHandle, opts?: Record<string, unknown>) => Promise<unknown>;
    };
    await mod.buildWarehouse(wh, { quiet: true });
    const [t] = await wh.all<{ n: bigint; failed: bigint }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'fail') AS failed FROM ops.data_test_results`,
    );
    return { detail: `${Number(t?.n ?? 0)} data tests, ${Number(t?.failed ?? 0)} failed` };
  }
  const result = await buildModels(wh, await discoverModels());
  return { detail: `${result.built.length} models, ${result.tests.length} data tests` };
}

/**
 * Writes the regulator export packages for the months a run touched, when the export module
 * exists (`transforms/export/export-package.ts`). Returns what was written.
 */
export async function writeExports(warehouse: string, outDir: string, runId: string, dates: string[]): Promise<{ detail: string }> {
  const module = join(here, '..', 'export', 'export-package.ts');
  if (!existsSync(module)) return { detail: 'skipped: export module not installed' };
  const mod = (await import(pathToFileURL(module).href)) as {
    exportMonths: (o: { warehouse: string; outDir: string; runId: string; months: string[] }) => Promise<{ files: number }>;
  };
  const months = [...new Set(dates.map((d) => d.slice(0, 7)))];
  const r = await mod.exportMonths({ warehouse, outDir, runId, months });
  return { detail: `${r.files} file(s) for ${months.join(', ')}` };
}
