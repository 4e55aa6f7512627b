import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse, type DuckDbWarehouse } from '../../transforms/lib/duckdb.js';
import { isDuckDbOutOfMemory, withSingleThreadRetry } from '../../transforms/lib/single-thread-retry.js';

/**
 * The retry of a model build that DuckDB cannot fit in its memory limit, on a real in-memory DuckDB
 * at 2 threads and a 32MB limit. `list(range)` over 20M rows keeps one aggregate state of 20M
 * BIGINTs (160 MB) that DuckDB cannot spill, so it runs out of memory at any thread count.
 */
const TOO_LARGE = 'SELECT length(list(range)) AS n FROM range(20000000)';
let wh: DuckDbWarehouse;
const threads = async () => Number((await wh.all<{ t: string }>(`SELECT current_setting('threads')::VARCHAR AS t`))[0]!.t);

beforeEach(async () => {
  wh = await openWarehouse(':memory:', { memoryLimit: '32MB', threads: 2 });
});
afterEach(async () => {
  await wh.close();
});

describe('withSingleThreadRetry', () => {
  it('runs the work again with one thread after an out-of-memory error, then restores 2 threads', async () => {
    // The work runs out of memory whenever DuckDB runs more than one thread; with one it counts 3 rows.
    const seen: number[] = [];
    const r = await withSingleThreadRetry(wh, async () => {
      seen.push(await threads());
      return (await wh.all<{ n: number }>(seen.at(-1)! > 1 ? TOO_LARGE : 'SELECT count(*)::INTEGER AS n FROM range(3)'))[0]!.n;
    });
    expect(seen).toEqual([2, 1]);
    expect(r).toEqual({ result: 3, singleThreaded: true });
    expect(await threads()).toBe(2);
  });

  it('runs the work once when it fits', async () => {
    let calls = 0;
    const r = await withSingleThreadRetry(wh, async () => ++calls);
    expect(r).toEqual({ result: 1, singleThreaded: false });
  });

  it('gives up after the single-threaded run also runs out of memory, with DuckDB error and threads restored', async () => {
    let calls = 0;
    const failed = await withSingleThreadRetry(wh, async () => {
      calls++;
      return wh.all(TOO_LARGE);
    }).catch((e: unknown) => e);
    expect(isDuckDbOutOfMemory(failed)).toBe(true);
    expect(calls).toBe(2);
    expect(await threads()).toBe(2);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const failed = await withSingleThreadRetry(wh, async () => {
      calls++;
      return wh.all('SELECT * FROM no_such_table');
    }).catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/no_such_table/);
    expect(isDuckDbOutOfMemory(failed)).toBe(false);
    expect(calls).toBe(1);
  });
});
