import type { BuildStep } from '../kpi/build-warehouse.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import { relationExists } from '../publish/exports/run-info.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { nightlyRunId } from './interrupted-runs.js';

/** One `cq transform` on a warehouse that no nightly maintains (engine `citus`). */
export interface TransformRun {
  startedAt: Date;
  finishedAt: Date;
  /** `full`, or `incremental` with `--since`. */
  mode: 'full' | 'incremental';
  /** Month end of `--since` (incremental). */
  since?: string | undefined;
  steps: readonly BuildStep[];
  /** The step that failed (the run failed), with its error message. */
  failed?: { step: string; error: string } | undefined;
}

/**
 * Records a `cq transform` in the warehouse's own run ledger (`ops.runs`, `ops.run_steps`) on
 * the Citus engine, where the nightly — which copies its ledger into every warehouse it
 * publishes — does not run yet: the data-quality page and the home page then show which run
 * built the figures, when, and how long each step took. The run's business dates are the ones
 * loaded (from `--since` on, for an incremental build). Tables are created when missing, never
 * replaced (with the close ledger's, left empty). Returns the run id.
 *
 * @example
 * await recordTransformRun(pg, { startedAt, finishedAt: new Date(), mode: 'full', steps: result.steps });
 * // INSERT INTO ops.runs VALUES ($1, 'full', '2025-01-31,2025-02-28', 4711, $2, $3, 'succeeded', NULL, NULL, NULL)
 * // INSERT INTO ops.run_steps VALUES ($1, 1, 'staging.stg_lender__branches', …, 'succeeded', 0.02, 12, NULL)  -- one per step
 */
export async function recordTransformRun(wh: WarehouseHandle, run: TransformRun): Promise<string> {
  // The close ledger's tables too (empty: `cq close` does not run on this engine yet), which the
  // home page reads for restated months.
  for (const table of ['runs', 'run_steps', 'month_closes', 'month_close_values'] as const) {
    if (!(await relationExists(wh, 'ops', table))) await wh.exec(opsTableDdl(table));
  }
  const runId = nightlyRunId(run.startedAt, process.pid);
  const dates = await wh.all<{ d: string }>(
    `SELECT DISTINCT CAST(business_date AS VARCHAR) AS d FROM ops.load_audit ${run.since ? 'WHERE business_date >= $1' : ''} ORDER BY 1`,
    run.since ? [run.since] : [],
  );
  const ts = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  await wh.run(`INSERT INTO ops.runs VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMP), CAST($6 AS TIMESTAMP), $7, $8, $9, NULL)`, [
    runId,
    run.mode,
    dates.map((r) => r.d).join(','),
    process.pid,
    ts(run.startedAt),
    ts(run.finishedAt),
    run.failed ? 'failed' : 'succeeded',
    run.failed?.step ?? null,
    run.failed?.error ?? null,
  ]);
  let at = run.startedAt.getTime();
  for (const [i, s] of run.steps.entries()) {
    const end = at + s.seconds * 1000;
    await wh.run(`INSERT INTO ops.run_steps VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), 'succeeded', $6, $7, NULL)`, [
      runId,
      i + 1,
      s.step,
      ts(new Date(at)),
      ts(new Date(end)),
      s.seconds,
      s.rows >= 0 ? s.rows : null,
    ]);
    at = end;
  }
  return runId;
}
