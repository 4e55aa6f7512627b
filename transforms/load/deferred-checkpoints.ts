import type { WarehouseHandle } from '../lib/duckdb.js';

/**
 * WAL size at which a multi-date load lets DuckDB checkpoint. DuckDB's default (16 MB) is
 * reached every one or two business dates at full scale; each checkpoint compresses again the
 * partly filled last row group of every table, single-threaded, so a 24-date catch-up spent a
 * fifth of its time checkpointing. A larger threshold checkpoints every several dates instead.
 */
export const LOAD_CHECKPOINT_THRESHOLD = process.env.CQ_LOAD_CHECKPOINT_THRESHOLD ?? '256MB';

/**
 * Runs `work` — several business-date loads, each its own committed transaction — with
 * DuckDB's automatic checkpoint threshold raised to {@link LOAD_CHECKPOINT_THRESHOLD}, then
 * restores the setting (as DuckDB reports it, to 0.1 MiB) and checkpoints once. Durability is unchanged: every committed date is
 * in the write-ahead log until the checkpoint writes it into the database file.
 *
 * @example
 * const loads = await withDeferredCheckpoints(wh, () => loadAllDates());
 */
export async function withDeferredCheckpoints<T>(wh: WarehouseHandle, work: () => Promise<T>): Promise<T> {
  const [row] = await wh.all<{ v: string }>(`SELECT current_setting('checkpoint_threshold') AS v`);
  await wh.exec(`SET checkpoint_threshold = '${LOAD_CHECKPOINT_THRESHOLD}'`);
  let ok = false;
  try {
    const result = await work();
    ok = true;
    return result;
  } finally {
    await wh.exec(row ? `SET checkpoint_threshold = '${row.v.replace(/'/g, "''")}'` : 'RESET checkpoint_threshold');
    if (ok) await wh.exec('CHECKPOINT');
  }
}
