import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { OPS_TABLE_NAMES, OPS_TABLES, opsTableDdl, type OpsTable } from '../../transforms/lib/ops-tables.js';

/** Every ops table is declared once (transforms/lib/ops-tables.ts) and created from that declaration by its writer. */
let wh: WarehouseHandle;
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
});
afterEach(async () => {
  await wh.close();
});

describe('ops table declarations', () => {
  it('create tables whose columns, types, nullability and enforced keys are the declared ones', async () => {
    await wh.exec(opsTableDdl(...OPS_TABLE_NAMES));
    for (const name of OPS_TABLE_NAMES) {
      const t: OpsTable = OPS_TABLES[name];
      const cols = await wh.all<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = $1 ORDER BY ordinal_position`,
        [name],
      );
      const keyCols = t.enforceKey ? new Set(t.primaryKey) : new Set<string>();
      expect(cols, name).toEqual(
        t.columns.map((c) => ({ column_name: c.name, data_type: c.type, is_nullable: c.notNull || keyCols.has(c.name) ? 'NO' : 'YES' })),
      );
      for (const k of t.primaryKey) expect(t.columns.map((c) => c.name), `${name} key ${k}`).toContain(k);
    }
  });

  it('keep rows of `keep` tables and empty `replace` tables when the DDL runs again', async () => {
    await wh.exec(opsTableDdl('model_builds', 'runs'));
    await wh.exec(`INSERT INTO ops.model_builds VALUES ('core.x', 'abc', 'full', NULL, TIMESTAMP '2026-01-01 00:00:00');
      INSERT INTO ops.runs (run_id) VALUES ('r1')`);
    await wh.exec(opsTableDdl('model_builds', 'runs'));
    expect(await wh.all('SELECT count(*)::INTEGER AS n FROM ops.model_builds')).toEqual([{ n: 1 }]);
    expect(await wh.all('SELECT count(*)::INTEGER AS n FROM ops.runs')).toEqual([{ n: 0 }]);
    // An enforced key refuses a repeated model.
    await expect(wh.exec(`INSERT INTO ops.model_builds VALUES ('core.x', 'def', 'full', NULL, TIMESTAMP '2026-01-02 00:00:00')`)).rejects.toThrow(/[Dd]uplicate key/);
  });

  it('are used by the module each names as its writer (no second CREATE TABLE ops.… anywhere)', () => {
    for (const name of OPS_TABLE_NAMES) {
      const writer = readFileSync(OPS_TABLES[name].writtenBy, 'utf8');
      expect(writer, `${name} in ${OPS_TABLES[name].writtenBy}`).toMatch(new RegExp(`opsTableDdl\\([^)]*'${name}'`));
      expect(writer).not.toMatch(/CREATE (OR REPLACE )?TABLE (IF NOT EXISTS )?ops\./i);
    }
  });
});
