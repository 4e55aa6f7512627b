import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBDecimalValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import { executeQuery } from '../../../transforms/publish/console/execute-query.js';
import { chunkColumns, type ResultWriter } from '../../../transforms/publish/console/result-writer.js';
import { openSqlSession, type SqlSession } from '../../../transforms/publish/console/sql-session.js';
import { copyFixture } from './sql-fixture.js';

/**
 * A query running while the nightly job publishes a new warehouse keeps reading the file it
 * opened (a consistent snapshot) and nobody waits for anybody.
 *
 * Fixture balances (test/publish/console/sql-fixture.ts), core.fct_loan_month_ends.on_book_balance:
 * 2026-09-30: 950,000.00 + 25,000.00 + 800,000.00 + 100,000.00 = 1,875,000.00
 * 2026-10-31: 949,000.00 + 24,000.00 + 800,000.00 +  98,000.00 = 1,871,000.00
 * → 8 rows, 3,746,000.00 in total. The "new night" sets every balance to 0 and drops L004's 2 rows.
 *
 * So that the stream still has to read most of its data from disk after the switch, each
 * warehouse also gets core.big: 2,000,000 rows with amount = (i mod 1000) → Σ = 2,000 × 499,500
 * = 999,000,000.00 in the old file, 0 in the new one; ~1,000 chunks, the switch after the first.
 */

const OLD_TOTAL_CENTS = 374_600_000n;
const BIG_ROWS = 2_000_000;
const OLD_BIG_CENTS = 99_900_000_000n;
const STREAM_SQL = `select i, loan_id, amount from core.big`;

/** The fixture plus core.big (amount = i mod 1000, or 0 for the new night). */
async function warehouseWithBig(path: string, newNight: boolean): Promise<void> {
  await copyFixture(path);
  const wh = await openWarehouse(path);
  try {
    await wh.exec(`CREATE TABLE core.big AS SELECT range AS i, 'L' || (range % 4) AS loan_id, CAST(${newNight ? 0 : 'range % 1000'} AS DECIMAL(18,2)) AS amount FROM range(${BIG_ROWS});
      ${newNight ? `UPDATE core.fct_loan_month_ends SET on_book_balance = 0; DELETE FROM core.fct_loan_month_ends WHERE loan_id = 'L004';` : ''} CHECKPOINT;`);
  } finally {
    await wh.close();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-snapshot-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds "tomorrow's" warehouse at `path` the way the nightly job does: a new file, opened read-write, changed. */
async function buildNewNight(path: string): Promise<number> {
  const started = performance.now();
  await warehouseWithBig(path, true);
  return performance.now() - started;
}

async function totals(s: SqlSession): Promise<{ n: number; cents: bigint }> {
  const r = (await s.conn.runAndReadAll(`select count(*)::INTEGER as n, sum(on_book_balance) as total from core.fct_loan_month_ends`)).getRows()[0]!;
  return { n: r[0] as number, cents: (r[1] as DuckDBDecimalValue).value };
}

/** Sums `amount` (column 3) and counts rows of every chunk; runs `midway` after the first chunk. */
function countingWriter(midway: () => Promise<void>) {
  const state = { rows: 0, cents: 0n, chunksBeforeSwitch: 0, switched: false };
  const writer: ResultWriter = {
    async begin() {},
    async rows(chunk, count) {
      const [, , amount] = chunkColumns(chunk, count);
      for (const v of amount!) state.cents += (v as DuckDBDecimalValue).value;
      state.rows += count;
      if (!state.switched) {
        state.chunksBeforeSwitch++;
        state.switched = true;
        await midway();
      }
    },
    async end() {},
  };
  return { writer, state };
}

describe('a query running while the nightly job publishes a new warehouse', () => {
  it('release layout (data/warehouse.duckdb → current → releases/<run>): the stream finishes on the old snapshot, unblocked', async () => {
    const base = join(dir, 'data');
    mkdirSync(join(base, 'releases', 'r1'), { recursive: true });
    await warehouseWithBig(join(base, 'releases', 'r1', 'warehouse.duckdb'), false);
    symlinkSync(join('releases', 'r1'), join(base, 'current'));
    symlinkSync(join('current', 'warehouse.duckdb'), join(base, 'warehouse.duckdb'));
    const published = join(base, 'warehouse.duckdb');

    const s = await openSqlSession({ warehouse: published });
    try {
      expect(await totals(s)).toEqual({ n: 8, cents: OLD_TOTAL_CENTS });
      let buildMs = -1;
      const { writer, state } = countingWriter(async () => {
        // The nightly run: build the new release, switch `current` with one atomic rename,
        // prune the old release (deleting the file this session is reading).
        mkdirSync(join(base, 'releases', 'r2'));
        buildMs = await buildNewNight(join(base, 'releases', 'r2', 'warehouse.duckdb'));
        symlinkSync(join('releases', 'r2'), join(base, 'current.tmp'));
        renameSync(join(base, 'current.tmp'), join(base, 'current'));
        rmSync(join(base, 'releases', 'r1'), { recursive: true });
      });
      const r = await executeQuery(s, STREAM_SQL, writer, { timeoutSeconds: 60 });
      // The switch happened after the first chunk, with ~1,000 chunks still to come …
      expect(state.chunksBeforeSwitch).toBe(1);
      expect(buildMs).toBeGreaterThan(0);
      // … and every row of the result is from the old snapshot (whose file is deleted by now).
      expect(r.rowCount).toBe(BIG_ROWS);
      expect(state.rows).toBe(BIG_ROWS);
      expect(state.cents).toBe(OLD_BIG_CENTS);
      // The session keeps its snapshot for later queries, and knows a new one exists.
      expect(await totals(s)).toEqual({ n: 8, cents: OLD_TOTAL_CENTS });
      expect(s.republished()).toBe(true);
    } finally {
      s.close();
    }
    // A new session (or .reopen) reads the new night.
    const s2 = await openSqlSession({ warehouse: published });
    try {
      expect(await totals(s2)).toEqual({ n: 6, cents: 0n });
      expect(s2.republished()).toBe(false);
    } finally {
      s2.close();
    }
  });

  it('plain file renamed over the path mid-stream: same consistent result', async () => {
    const path = join(dir, 'plain.duckdb');
    await warehouseWithBig(path, false);
    const s = await openSqlSession({ warehouse: path });
    try {
      const { writer, state } = countingWriter(async () => {
        await buildNewNight(`${path}.new`);
        renameSync(`${path}.new`, path);
      });
      await executeQuery(s, STREAM_SQL, writer);
      expect(state.rows).toBe(BIG_ROWS);
      expect(state.cents).toBe(OLD_BIG_CENTS);
      expect(await totals(s)).toEqual({ n: 8, cents: OLD_TOTAL_CENTS });
      expect(s.republished()).toBe(true);
    } finally {
      s.close();
    }
    const s2 = await openSqlSession({ warehouse: path });
    try {
      expect(await totals(s2)).toEqual({ n: 6, cents: 0n });
    } finally {
      s2.close();
    }
  });

  it('two consoles on the same published file do not block each other or a build of the next file', async () => {
    const path = join(dir, 'shared.duckdb');
    await copyFixture(path);
    const a = await openSqlSession({ warehouse: path });
    const b = await openSqlSession({ warehouse: path });
    try {
      expect(await totals(a)).toEqual(await totals(b));
      const ms = await buildNewNight(`${path}.next`);
      expect(ms).toBeLessThan(30_000);
    } finally {
      a.close();
      b.close();
    }
  });
});
