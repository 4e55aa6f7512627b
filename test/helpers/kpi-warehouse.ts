import { rmSync } from 'node:fs';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { writeKpiFixture, type kpiFixtureRows } from './kpi-fixture.js';

/**
 * An in-memory warehouse holding the hand-worked KPI fixture (test/helpers/kpi-fixture.ts), loaded
 * through the real loader and built with its data tests. `edit` changes the fixture rows first
 * (see writeKpiFixture). Close it when done.
 *
 * @example
 * let wh: WarehouseHandle;
 * beforeAll(async () => { wh = await kpiFixtureWarehouse(); }, 120_000);
 * afterAll(() => wh?.close());
 */
export async function kpiFixtureWarehouse(edit?: (rows: ReturnType<typeof kpiFixtureRows>) => void): Promise<WarehouseHandle> {
  const dir = writeKpiFixture({ edit });
  const wh = await openWarehouse(':memory:');
  try {
    await loadExtracts(wh, dir);
    await buildWarehouse(wh);
    return wh;
  } catch (e) {
    await wh.close();
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
