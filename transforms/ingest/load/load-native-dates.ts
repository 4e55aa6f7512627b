import { CqError } from '../../lib/errors.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { listBusinessDates } from './extract-files.js';
import { withLoadCheckpoints } from './load-checkpoints.js';
import { loadBusinessDate, type BusinessDateLoad, type LoadDateOptions } from './load-business-date.js';

/**
 * Loads business dates of native extracts (the contract's own files) from an extracts directory
 * in date order (all of them, or `dates`),
 * each in its own transaction, with the checkpoint settings of a load (see withLoadCheckpoints:
 * no row-group merging; with several dates, a checkpoint every few dates instead of every one or two).
 *
 * @example
 * const loads = await loadNativeDates(wh, 'data/extracts');
 */
export async function loadNativeDates(
  wh: WarehouseHandle,
  extractsDir: string,
  options: LoadDateOptions & { dates?: string[]; onDate?: (load: BusinessDateLoad) => void } = {},
): Promise<BusinessDateLoad[]> {
  const available = listBusinessDates(extractsDir);
  const dates = options.dates ?? available;
  if (dates.length === 0) {
    throw new CqError('EXTRACT_NO_DATES', `${extractsDir}: no business-date folders (YYYY-MM-DD) found. Fix: point --extracts at the folder that holds them.`, { file: extractsDir });
  }
  for (const d of dates) {
    if (!available.includes(d)) {
      throw new CqError('EXTRACT_MISSING_FILE', `${extractsDir}/${d}: no such business-date folder. Available: ${available.slice(0, 5).join(', ')}${available.length > 5 ? ', …' : ''}.`, { file: `${extractsDir}/${d}` });
    }
  }
  const loads: BusinessDateLoad[] = [];
  const loadAll = async () => {
    for (const d of [...dates].sort()) {
      const load = await loadBusinessDate(wh, extractsDir, d, options);
      loads.push(load);
      options.onDate?.(load);
    }
  };
  await withLoadCheckpoints(wh, dates.length, loadAll);
  return loads;
}
