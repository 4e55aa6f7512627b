import { existsSync } from 'node:fs';
import { openWarehouse } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { CqError } from '../lib/errors.js';

/**
 * Opens a built warehouse read-only for a command that only reads it (`cq export`, `cq report`):
 * WAREHOUSE_MISSING when the file does not exist, WAREHOUSE_LOCKED when a writer holds it.
 *
 * @example
 * const wh = await openReadOnlyWarehouse('data/warehouse.duckdb');
 */
export async function openReadOnlyWarehouse(path: string): Promise<WarehouseHandle> {
  if (!existsSync(path)) throw new CqError('WAREHOUSE_MISSING', `${path}: no such warehouse. Fix: cq load and cq transform first (or cq nightly), or pass --warehouse FILE.`, { file: path });
  try {
    return await openWarehouse(path, { readOnly: true });
  } catch (e) {
    throw new CqError('WAREHOUSE_LOCKED', `${path}: cannot open the warehouse read-only (${(e as Error).message}). Is a load or build writing to it?`, { file: path }, { cause: e });
  }
}
