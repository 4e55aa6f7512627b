import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, type DuckDbWarehouse } from '../../../transforms/lib/duckdb.js';
import { openPostgresWarehouse } from '../../../transforms/lib/postgres.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { ensureRawSchema } from '../../../transforms/ingest/load/raw-schema.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { generateSample } from '../../../transforms/sample/generate-sample.js';
import { citusUrl, mirrorRawToPostgres, resetPostgresWarehouse, SKIP_REASON } from '../../helpers/postgres-warehouse.js';

/**
 * The same warehouse on both engines: a generated sample (300 customers × 14 months) loaded into
 * DuckDB, its raw tables copied row for row to PostgreSQL/Citus, then every staging → core → marts
 * model and every KPI (metrics.kpi_*, kpi_values, the catalogue, contributions, commentary) built on
 * each, with the data tests; every table must hold the same rows (same JS values, as sorted rows).
 */
const url = citusUrl();
let root: string;
let duck: DuckDbWarehouse;
let pg: WarehouseHandle;

/**
 * A row as canonical text, bigint and Date spelled out. Doubles are written to 12 significant
 * digits: a sum of doubles depends on the order the engine adds them in (both add in parallel), so
 * a PSI can differ in its 16th digit between engines and between runs of one engine; every other
 * value must be identical.
 */
function canonical(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
  );
}

async function rowsOf(wh: WarehouseHandle, table: string): Promise<string[]> {
  return (await wh.all<Record<string, unknown>>(`SELECT * FROM ${table}`)).map(canonical).sort();
}

describe.skipIf(!url)(`the warehouse (models and KPIs) on DuckDB and PostgreSQL/Citus${url ? '' : ` (${SKIP_REASON})`}`, () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cq-engines-'));
    await generateSample({ customers: 300, months: 14, seed: 11, out: join(root, 'extracts') });
    duck = await openWarehouse(':memory:');
    await loadExtracts(duck, join(root, 'extracts'));
    pg = await openPostgresWarehouse(url!);
    await resetPostgresWarehouse(pg);
    await ensureRawSchema(pg);
    const raw = (await duck.all<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1`)).map((r) => r.t);
    await mirrorRawToPostgres(duck, url!, [...raw, 'ops.load_audit', 'ops.rejected_rows']);
    await buildWarehouse(duck);
    await buildWarehouse(pg);
  }, 900_000);

  afterAll(async () => {
    await duck?.close();
    await pg?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('builds the same tables, with the same rows', async () => {
    const tables = async (wh: WarehouseHandle) =>
      (
        await wh.all<{ t: string }>(
          `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('staging', 'core', 'marts', 'metrics') ORDER BY 1`,
        )
      ).map((r) => r.t);
    const names = await tables(duck);
    expect(await tables(pg)).toEqual(names);
    const differing: string[] = [];
    for (const t of names) {
      const [a, b] = [await rowsOf(duck, t), await rowsOf(pg, t)];
      if (a.length !== b.length || a.some((r, i) => r !== b[i])) {
        const i = a.findIndex((r, k) => r !== b[k]);
        differing.push(`${t}: ${a.length} vs ${b.length} rows; first difference:\n  duckdb   ${a[i] ?? '(none)'}\n  postgres ${b[i] ?? '(none)'}`);
      }
    }
    expect(differing.join('\n')).toBe('');
  });
});
