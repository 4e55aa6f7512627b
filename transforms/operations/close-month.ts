import { existsSync } from 'node:fs';
import { openWarehouse } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
import { appendClose, latestCloses, readCloses, type MonthCloseEvent } from './close-ledger.js';
import { acquireLock } from './lock.js';
import { monthKpiSnapshot } from './month-kpi-snapshot.js';

/** What `cq close` did. */
export interface CloseMonthResult {
  /** The close in force after the command (the new one, or the unchanged earlier one). */
  close: MonthCloseEvent;
  /** False when the month was already closed with the same KPI rows (nothing recorded). */
  recorded: boolean;
  /** The close this one follows (a re-close), if any. */
  previous?: MonthCloseEvent;
}

/**
 * Closes a business month: reads its KPI rows from the (published) warehouse, hashes them
 * (see `monthKpiSnapshot`) and appends a close to the close ledger with who, when, the hash,
 * the row count, the latest load and the rows themselves. Holds the nightly lock meanwhile, so a
 * close never interleaves with a night. Closing a month again with the same rows records nothing
 * (idempotent; `recorded: false`); with different rows (a KPI added since, or a restated month)
 * it records the next close number.
 *
 * @example
 * const r = await closeMonth({ warehouse: 'data/warehouse.duckdb', ledger: 'data/runs/closes.ndjson', lock: 'data/nightly.lock', month: '2026-08', by: '王芳' });
 */
export async function closeMonth(options: { warehouse: string; ledger: string; lock: string; month: string; by: string; now?: Date }): Promise<CloseMonthResult> {
  const { warehouse, ledger, month, by } = options;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new CqError('MONTH_CLOSE_FAILED', `--month must be YYYY-MM, got "${month}".`);
  if (!by.trim()) throw new CqError('MONTH_CLOSE_FAILED', '--by must name who closes the month.');
  if (!existsSync(warehouse)) {
    throw new CqError('WAREHOUSE_MISSING', `${warehouse}: no such warehouse. Fix: run the nightly first (npm run nightly), or pass --warehouse FILE.`, { file: warehouse });
  }
  const lock = acquireLock(options.lock);
  try {
    let wh;
    try {
      wh = await openWarehouse(warehouse, { readOnly: true });
    } catch (e) {
      throw new CqError('WAREHOUSE_LOCKED', `${warehouse}: cannot open the warehouse read-only (${(e as Error).message}).`, { file: warehouse }, { cause: e });
    }
    let snap;
    let loadId: string | null;
    try {
      snap = await monthKpiSnapshot(wh, month);
      const [last] = await wh.all<{ load_id: string | null }>(`SELECT max_by(load_id, finished_at) AS load_id FROM ops.load_audit`).catch(() => [{ load_id: null }]);
      loadId = last?.load_id ?? null;
    } finally {
      await wh.close();
    }
    if (snap.rows.length === 0) {
      throw new CqError('MONTH_CLOSE_FAILED', `${warehouse}: no KPI rows for ${month} (metrics.kpi_values). Fix: load and publish the month first (npm run nightly), then close it.`, { file: warehouse });
    }
    const previous = latestCloses(readCloses(ledger)).get(month);
    if (previous && previous.kpi_hash === snap.hash) return { close: previous, recorded: false, previous };
    const close: MonthCloseEvent = {
      type: 'month_closed',
      month,
      close_no: (previous?.close_no ?? 0) + 1,
      kind: 'close',
      closed_by: by.trim(),
      closed_at: (options.now ?? new Date()).toISOString(),
      kpi_hash: snap.hash,
      kpi_rows: snap.rows.length,
      load_id: loadId,
      run_id: null,
      reason: null,
      changed_rows: null,
      report: null,
      rows: snap.rows,
    };
    appendClose(ledger, close);
    return { close, recorded: true, ...(previous ? { previous } : {}) };
  } finally {
    lock.release();
  }
}
