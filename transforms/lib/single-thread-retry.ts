import type { WarehouseHandle } from './warehouse-handle.js';

/** Whether an error is DuckDB's "Out of Memory Error" (a statement that could not stay within `memory_limit`). */
export function isDuckDbOutOfMemory(e: unknown): boolean {
  return e instanceof Error && /Out of Memory Error/.test(e.message);
}

/**
 * Runs `work` and, when DuckDB runs out of memory, runs it once more with ONE thread, then restores
 * the thread count. Each DuckDB thread holds its own share of a statement's hash tables and sort
 * runs, so a statement whose operators cannot all spill (several large hash joins probed in one
 * pipeline, as in `core.fct_loan_month_signals`) may fail at 2 threads within a 1.5 GB limit and fit
 * at 1; whether it fails at 2 depends on timing (the same 10M night failed once and passed once).
 * The same SQL runs again, so the rows are the same; only the time grows. `work` must be safe to
 * repeat (a model's DELETE/INSERT or DROP/CREATE is). Not on PostgreSQL (a different error, no retry)
 * and not when DuckDB already runs one thread.
 *
 * @example
 * const { singleThreaded } = await withSingleThreadRetry(wh, () => wh.exec('CREATE TABLE core.x AS …'));
 * // on DuckDB's out-of-memory error: SET threads = 1; CREATE TABLE core.x AS …; SET threads = 2
 */
export async function withSingleThreadRetry<T>(wh: WarehouseHandle, work: () => Promise<T>): Promise<{ result: T; singleThreaded: boolean }> {
  try {
    return { result: await work(), singleThreaded: false };
  } catch (e) {
    if (wh.engine !== 'duckdb' || !isDuckDbOutOfMemory(e)) throw e;
    const [setting] = await wh.all<{ threads: string }>(`SELECT current_setting('threads')::VARCHAR AS threads`);
    const threads = Number(setting?.threads ?? 1);
    if (!(threads > 1)) throw e;
    await wh.exec('SET threads = 1');
    try {
      return { result: await work(), singleThreaded: true };
    } finally {
      await wh.exec(`SET threads = ${threads}`);
    }
  }
}
