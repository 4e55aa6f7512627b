import { join } from 'node:path';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { readDateManifest } from './load/extract-files.js';
import { loadBusinessDate, type BusinessDateLoad } from './load/load-business-date.js';
import type { FileLoadResult } from './load/load-entity-file.js';
import { clearMappingRecords, loadExtractsWithMappings, loadMappedBusinessDate, type MappedLoadOptions } from './mapping/load-mapped-extracts.js';

/**
 * The one entry of loading. Everything that loads extracts (`cq load`, the nightly, the tests)
 * comes through here; this module picks the native loader (`load/`: the contract's own files) or
 * a mapping (`mapping/`: a lender's own layout, named by `--mapping` or a manifest.json) for each
 * business date. The native loader knows nothing of mappings.
 */

/** Options of {@link loadExtracts}: a mapping (`--mapping`), a mappings folder, the dates, progress callbacks. */
export type LoadExtractsOptions = MappedLoadOptions;

/**
 * Loads the business dates of an extracts folder (all of them, or `options.dates`) in date
 * order, each date in its own transaction: native extracts, or any lender layout through a
 * mapping. Every mapping error is raised for all dates before the first row is written.
 *
 * @example
 * const loads = await loadExtracts(wh, 'data/extracts');
 * const lc = await loadExtracts(wh, 'datasets/public', { mapping: 'lending-club' });
 */
export async function loadExtracts(wh: WarehouseHandle, extractsDir: string, options: LoadExtractsOptions = {}): Promise<BusinessDateLoad[]> {
  return loadExtractsWithMappings(wh, extractsDir, options);
}

/**
 * Loads one business date, atomically: through the mapping its manifest.json names, else
 * natively. Re-loading a date replaces it (raw rows, rejects, audit and a mapping's records).
 *
 * @example
 * const load = await loadDate(wh, 'data/extracts', '2026-10-31');
 */
export async function loadDate(
  wh: WarehouseHandle,
  extractsDir: string,
  businessDate: string,
  options: { loadId?: string; onFile?: (result: FileLoadResult) => void } = {},
): Promise<BusinessDateLoad> {
  if (readDateManifest(join(extractsDir, businessDate)).mapping) return loadMappedBusinessDate(wh, extractsDir, businessDate, options);
  return loadBusinessDate(wh, extractsDir, businessDate, { ...options, replaceDate: clearMappingRecords });
}
