import type { EntityName } from '../../transforms/ingest/contract/index.js';
import { rowLine } from './extract-rows.js';

/**
 * One CSV data line of an extract, built by column name in the contract's column order
 * (columns not given are empty). A field holding a comma, quote or line break is quoted (RFC 4180).
 *
 * @example
 * csvLine('loan_balances', { as_of_date: '2026-09-30', loan_id: 'L001', status: 'active' });
 * // '2026-09-30,L001,,,,,,,active'
 */
export function csvLine(name: EntityName, values: Readonly<Record<string, string>>): string {
  return rowLine(name, values);
}
