import { quoteLiteral } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';

/**
 * WAL size at which a multi-date load lets DuckDB checkpoint (default 256MB). DuckDB's own
 * default (16 MB) is reached every one or two business dates at full scale, and each checkpoint
 * took ~3 s, so a 24-date catch-up spent a fifth of its time checkpointing. A larger threshold
 * checkpoints every several dates instead (1M customers × 24 dates, Parquet, measured before loads
 * stopped merging row groups: 16MB 121 s, 256MB 105 s, 1GB 114 s and 0.3 GB more memory).
 * Override with the environment variable CQ_LOAD_CHECKPOINT_THRESHOLD.
 *
 * @example
 * await wh.exec(`SET checkpoint_threshold = '${loadCheckpointThreshold()}'`);
 */
export function loadCheckpointThreshold(): string {
  const value = process.env.CQ_LOAD_CHECKPOINT_THRESHOLD ?? '256MB';
  if (/^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i.test(value)) return value;
  throw new CqError('CLI_USAGE', `CQ_LOAD_CHECKPOINT_THRESHOLD must be a size such as 256MB or 1GB, got "${value}". Fix: correct or unset the variable.`);
}

/**
 * Runs `work` — one or more business-date loads, each its own committed transaction — with the
 * checkpoint settings of a load, then checkpoints once and restores the settings (as DuckDB
 * reports them):
 *
 * - **No row-group merging** (`max_vacuum_tasks = 0`). A checkpoint merges adjacent row groups
 *   that together fit in fewer, rewriting them. A CSV file is inserted in batches of the CSV
 *   reader's buffers, so its row groups are not all full, and every checkpoint after a CSV load
 *   rewrote them: 9 s of the final checkpoint of a 23-date load and 8 s of each later night's
 *   (1M customers; 0.3 s without merging). `raw` is append-only per business date and a re-load
 *   deletes whole dates, whose row groups are dropped whole, so merging buys nothing but fuller
 *   row groups (four analyst-style scans of `raw` within 0.06 s). The checkpoint at the end runs without merging
 *   too, so later checkpoints (model builds) do not revisit `raw`.
 * - With several dates, the automatic checkpoint threshold is {@link loadCheckpointThreshold}.
 *
 * Durability is unchanged: every committed date is in the write-ahead log until a checkpoint
 * writes it into the database file. After a failure nothing is checkpointed here.
 *
 * @example
 * const loads = await withLoadCheckpoints(wh, dates.length, () => loadAllDates());
 */
export async function withLoadCheckpoints<T>(wh: WarehouseHandle, dateCount: number, work: () => Promise<T>): Promise<T> {
  const [before] = await wh.all<{ threshold: string; vacuum: string }>(
    `SELECT current_setting('checkpoint_threshold') AS threshold, CAST(current_setting('max_vacuum_tasks') AS VARCHAR) AS vacuum`,
  );
  const restore = () => wh.exec(`SET checkpoint_threshold = ${quoteLiteral(before!.threshold)}; SET max_vacuum_tasks = ${Number(before!.vacuum)};`);
  let result: T;
  try {
    await wh.exec('SET max_vacuum_tasks = 0');
    if (dateCount > 1) await wh.exec(`SET checkpoint_threshold = '${loadCheckpointThreshold()}'`);
    result = await work();
    await wh.exec('CHECKPOINT');
  } catch (e) {
    // The load's own error is the one to report; restoring is best effort here.
    await restore().catch(() => undefined);
    throw e;
  }
  await restore();
  return result;
}
