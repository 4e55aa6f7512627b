import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import type { RunRecord } from './ledger.js';

/**
 * Copies the ledger into `ops.runs` and `ops.run_steps` of the warehouse about to be
 * published (the current run is recorded as succeeded: if publishing fails, this warehouse
 * is never seen). Extract checksums come from `ops.load_audit`.
 *
 * @example
 * await recordRunsInWarehouse(wh, readRuns(ledgerPath, runId), runId);
 */
export async function recordRunsInWarehouse(wh: WarehouseHandle, runs: RunRecord[], currentRunId: string): Promise<void> {
  await wh.exec(opsTableDdl('runs', 'run_steps'));
  const ts = (v: string | null) => (v ? `TIMESTAMP ${lit(v.replace('T', ' ').replace('Z', ''))}` : 'NULL');
  const s = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : lit(v));
  for (const r of runs) {
    const current = r.run_id === currentRunId;
    // The run's business dates as an IN list (none: no row).
    const ofRun = r.business_dates.length ? `strftime(business_date, '%Y-%m-%d') IN (${r.business_dates.map((d) => lit(d)).join(', ')})` : 'false';
    const checksums = await wh.all<{ c: string | null }>(
      `SELECT json_group_object(strftime(business_date, '%Y-%m-%d') || '/' || entity, sha256)::VARCHAR AS c FROM ops.load_audit
       WHERE ${ofRun}`,
    );
    await wh.exec(
      `INSERT INTO ops.runs VALUES (${lit(r.run_id)}, ${lit(r.mode)}, ${lit(r.business_dates.join(','))}, ${r.pid}, ${ts(r.started_at)},
        ${current ? "(now() AT TIME ZONE 'UTC')" : ts(r.finished_at)}, ${lit(current ? 'succeeded' : r.status)}, ${s(r.failed_step)}, ${s(r.error)}, ${s(checksums[0]?.c)})`,
    );
    for (const [i, st] of r.steps.entries()) {
      await wh.exec(
        `INSERT INTO ops.run_steps VALUES (${lit(r.run_id)}, ${i + 1}, ${lit(st.step)}, ${ts(st.started_at)}, ${ts(st.finished_at)}, ${lit(st.status)},
          ${st.seconds ?? 'NULL'}, ${st.rows ?? 'NULL'}, ${s(st.detail)})`,
      );
    }
  }
}
