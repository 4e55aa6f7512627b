import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError } from '../../transforms/lib/errors.js';
import { runDataTests } from '../../transforms/warehouse/data-tests.js';
import { defineModel } from '../../transforms/warehouse/model.js';

/**
 * Data tests (transforms/warehouse/data-tests.ts) on hand-made tables in an in-memory DuckDB.
 * core.t has 4 rows: keys 1, 2, 2, NULL → unique(id) finds 1 repeated key, not_null(id) 1 row;
 * status 'ok', 'ok', 'bad', NULL → accepted_values finds 1 ('bad'; NULL is allowed);
 * branch_id 'B1', 'B9', 'B1', 'B1' → relationships to core.b (B1 only) finds 1 ('B9');
 * amount 10, -5, 0, 3 → expression amount >= 0 finds 1.
 */

let wh: WarehouseHandle;
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
  await wh.exec(`
    CREATE SCHEMA core; CREATE SCHEMA staging;
    CREATE TABLE core.b AS SELECT 'B1' AS branch_id;
    CREATE TABLE core.t AS SELECT * FROM (VALUES (1, 'ok', 'B1', 10), (2, 'ok', 'B9', -5), (2, 'bad', 'B1', 0), (NULL, NULL, 'B1', 3)) v(id, status, branch_id, amount);
    CREATE VIEW staging.s AS SELECT * FROM (VALUES (1), (1)) v(id);`);
});
afterEach(async () => {
  await wh.close();
});

const base = { grain: 'test', description: 'test', columns: {}, query: () => sql`SELECT 1` } as const;
const t = defineModel({
  ...base,
  name: 't',
  layer: 'core',
  primaryKey: ['id'],
  tests: [
    { kind: 'accepted_values', column: 'status', values: ['ok'] },
    { kind: 'relationships', column: 'branch_id', to: 'core.b', field: 'branch_id' },
    { kind: 'expression', name: 'amount_nonnegative', sql: 'amount >= 0', severity: 'warn' },
  ],
});
const s = defineModel({ ...base, name: 's', layer: 'staging', materialized: 'view', primaryKey: ['id'], uniqueEnforcedAtLoad: true });

async function recorded() {
  return (await wh.all<{ model: string; test: string; failures: number; status: string }>(
    `SELECT model, test, failures, status FROM ops.data_test_results ORDER BY model, test`,
  )).map((r) => [r.model, r.test, r.failures, r.status]);
}

describe('data tests', () => {
  it('count the failing rows of each test, record them all, then fail naming the model and tests', async () => {
    const e = await runDataTests(wh, [t]).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(CqError);
    expect((e as CqError).code).toBe('DATA_TEST_FAILED');
    expect((e as CqError).message).toMatch(/4 data test\(s\) failed/);
    expect((e as CqError).message).toMatch(/core\.t: unique\(id\) — 1 failing row/);
    expect(await recorded()).toEqual([
      ['core.t', 'accepted_values(status)', 1, 'fail'],
      ['core.t', 'amount_nonnegative', 1, 'warn'],
      ['core.t', 'not_null(id)', 1, 'fail'],
      ['core.t', 'relationships(branch_id → core.b.branch_id)', 1, 'fail'],
      ['core.t', 'unique(id)', 1, 'fail'],
    ]);
  });

  it('a key unique by construction of the load is recorded as enforced at load, not re-scanned', async () => {
    // staging.s repeats id 1 (impossible after a real load, where the loader rejects it as
    // duplicate_key): the test is not re-run, so nothing fails; not_null still runs.
    await runDataTests(wh, [s]);
    expect(await recorded()).toEqual([
      ['staging.s', 'not_null(id)', 0, 'pass'],
      ['staging.s', 'unique(id) — enforced at load', 0, 'pass'],
    ]);
  });
});
